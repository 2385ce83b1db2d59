/** Longer lines are cut here: every pattern then works on at most this many characters. */
export const MAX_LINE_CHARS = 4096;

/** One physical line of a log, cleaned. */
export interface LogLine {
  /** 1-based line number in the input. */
  lineNo: number;
  text: string;
  /** An ld.lld note (`>>> referenced by ...`): its `>>> ` is kept, it is not mail quoting. */
  lldNote: boolean;
}

// TextDecoder is a language global (Node, browsers): decoding is not I/O.
const utf8 = new TextDecoder('utf-8');

// CSI (ESC [ params intermediates final), OSC (ESC ] ... BEL|ST, as in gcc's
// URL hyperlinks), charset designations, other two-byte escapes. Flat
// character-class runs only: no nested quantifiers.
const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[()*+#%][ -~]?|[ -~]?)/g;
// C0 controls except TAB, DEL, C1 controls, and U+FFFD (what invalid UTF-8 decodes to).
const GARBAGE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]/g;
const NEEDS_CLEANING = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]/;
// Mail quoting: "> ", "> > ", ">> ", ">Krnl" (each level one '>' and at most one space).
const QUOTE_PREFIX = /^(?:> ?){1,16}/;

/** Decodes a log held as bytes (UTF-8; undecodable bytes are dropped later). */
export function decodeLog(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : utf8.decode(input);
}

/** Removes ANSI escapes (colours, hyperlinks), control characters and undecodable bytes; tabs stay. */
export function cleanText(text: string): string {
  if (!NEEDS_CLEANING.test(text)) return text;
  if (text.includes('\x1b')) text = text.replace(ANSI_ESCAPE, '');
  return text.replace(GARBAGE, '');
}

/**
 * Cuts a log into cleaned lines: LF, CRLF and lone CR end a line; lines are
 * capped at MAX_LINE_CHARS; trailing blanks are kept (a mailer's wrap leaves
 * one); mail quote prefixes are stripped. ld.lld starts its notes with
 * `>>> `, which looks like quoting: such lines are flagged `lldNote`.
 */
export function splitLogLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  let start = 0;
  let lineNo = 0;
  const n = text.length;
  while (start < n) {
    let end = start;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c === 0x0a || c === 0x0d) break;
      end++;
    }
    lineNo++;
    const raw = text.slice(start, Math.min(end, start + MAX_LINE_CHARS));
    out.push(prepareLine(raw, lineNo));
    if (end < n && text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a) end++;
    start = end + 1;
  }
  return out;
}

function prepareLine(raw: string, lineNo: number): LogLine {
  let text = cleanText(raw);
  let lldNote = false;
  if (text.charCodeAt(0) === 0x3e /* > */) {
    const q = QUOTE_PREFIX.exec(text)![0];
    const rest = text.slice(q.length);
    lldNote = q.trimEnd().endsWith('>>>') && (LLD_NOTE.test(rest) || LLD_LOCATION.test(rest));
    text = lldNote ? `>>> ${rest}` : rest;
  }
  return { lineNo, text, lldNote };
}

// What ld.lld writes after ">>> ": "referenced by f.c:12 (mm/f.c:12)", "   mm/f.o:(fn) in archive vmlinux.a"...
const LLD_NOTE = /^\s{0,20}(?:referenced by |defined at |did you mean|referenced \d{1,9} more times|also defined at )/;
const LLD_LOCATION = /^\s{1,40}\S{1,300}:\(/;

/** ld.lld's notes under an error, with or without their `>>> `. */
export function isLinkerNote(text: string): boolean {
  return LLD_NOTE.test(text.startsWith('>>>') ? text.slice(3) : text);
}

/** Straight quotes for the ones compilers and linkers use: ‘x’ and `x' become 'x'. */
export function normalizeQuotes(s: string): string {
  return s.replace(/[`‘’]/g, "'");
}

/** Longest message kept in a title. */
export const MAX_MESSAGE_CHARS = 1000;

/** A message as a title part: quotes normalised, runs of blanks collapsed, trimmed, capped. */
export function normalizeMessage(s: string): string {
  const m = normalizeQuotes(s).replace(/[ \t]+/g, ' ').trim();
  return m.length > MAX_MESSAGE_CHARS ? m.slice(0, MAX_MESSAGE_CHARS) : m;
}
