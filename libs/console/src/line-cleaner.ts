// TextDecoder is a language global (Node, browsers): decoding is not I/O.
const utf8 = new TextDecoder('utf-8');

// CSI (ESC [ params intermediates final), OSC (ESC ] ... BEL|ST), charset
// designations (ESC ( B), other two-byte escapes. Each part is a flat
// character-class run: no nested quantifiers, so no backtracking blow-up.
const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[()*+#%][ -~]?|[ -~]?)/g;
// C0 controls except TAB, DEL, C1 controls and U+FFFD (what invalid UTF-8 decodes to).
const GARBAGE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\ufffd]/g;
const NEEDS_CLEANING = /[\x00-\x08\x0a-\x1f\x7f-\x9f\ufffd]/;
// Archive damage seen in mailed reports: "[" and "]" turned into "¢" and "!".
const MANGLED_BRACKETS = /¢([^¢!\n]{0,40})!/g;

/** Decodes one assembled line (UTF-8) and cleans it. */
export function decodeLine(bytes: Uint8Array, start: number, end: number): string {
  return cleanLine(utf8.decode(bytes.subarray(start, end)));
}

/**
 * Removes what serial lines and terminals add to kernel text: ANSI escape
 * sequences, NULs and other control characters, undecodable bytes; repairs
 * `¢ 12.3!` style bracket mangling. Tabs stay.
 */
export function cleanLine(text: string): string {
  if (NEEDS_CLEANING.test(text)) {
    if (text.includes('\x1b')) text = text.replace(ANSI_ESCAPE, '');
    text = text.replace(GARBAGE, '');
  }
  if (text.includes('¢')) text = text.replace(MANGLED_BRACKETS, '[$1]');
  return text;
}
