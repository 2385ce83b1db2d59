import { normalizeMessage } from './build-log-text';

export type BuildErrorKind = 'compile' | 'link' | 'kconfig' | 'make' | 'modpost' | 'assembler';

/**
 * What a line is to the analyzer:
 * - `error`: a failure; `fallback`: a failure that names no cause (make's
 *   `*** [target] Error N`), titled only when nothing better exists;
 * - `warning` (recorded when it has a file and line), `note` (belongs to the
 *   diagnostic before it);
 * - `context`: "In function" lines, remembered per file (per link for ld);
 * - `prelude`: "In file included from", "inlined from", "Assembler messages:",
 *   lines that belong to the next diagnostic;
 * - `ignore`: known noise (kbuild's `  CC foo.o`, make's directory lines...).
 */
export type LineRole = 'error' | 'fallback' | 'warning' | 'note' | 'context' | 'prelude' | 'ignore';

export interface LineMatch {
  id: string;
  role: LineRole;
  kind?: BuildErrorKind;
  file?: string;
  line?: number;
  column?: number;
  message: string;
  /** The normalised one-line name of an error or warning (see README). */
  title?: string;
  /** -Wflag of a warning (or of an error made of one by -Werror). */
  flag?: string;
  /** Context lines: the function, null at top level. */
  func?: string | null;
  /** Context lines: '<link>' for the linker's, else the source file. */
  contextKey?: string;
  /** Undefined or duplicate symbol of a link or modpost error. */
  symbol?: string;
  /** Link errors at `(section+0xoff)`: the section. */
  section?: string;
}

interface LinePattern {
  id: string;
  /** Cheap test before the regex. */
  quick?: (s: string) => boolean;
  /** Anchored; bounded quantifiers only, never nested. */
  re: RegExp;
  match: (m: RegExpExecArray) => LineMatch | null;
}

// A path, a tool or an object: no colon, no blank.
const P = String.raw`[\w./+-]`;
// The quoted name in a message: ‘x’, `x', 'x', "x".
const QUOTED = /[`‘'"]([\w.$]{1,200})['’"]/;
const WFLAG = /\s\[(-W[^\]\s]{1,80})\]$/;
const CLANG_WFLAG = /\s\[-Werror,(-W[^\]\s]{1,80})\]$/;
const LINK_OBJECT = /\.(?:o|a|ko|so)(?:\([^)]{0,100}\))?$|(?:^|\/)(?:vmlinux|built-in)[\w.]{0,20}$/;
const ASM_FILE = /\.[sS]$|^\{standard input\}$|^<(?:inline asm|instantiation)>$/;
const COMPILER_TOOL = /^(?:[\w.+-]{0,60}-)?(?:cc1|cc1plus|gcc|g\+\+|cpp|clang|clang\+\+|rustc)(?:-\d{1,3}(?:\.\d{1,3}){0,2})?$/;
const ASSEMBLER_TOOL = /^(?:[\w.+-]{0,60}-)?(?:as|gas|llvm-mc)(?:-\d{1,3})?$/;
const OLD_MODPOST_UNDEFINED = /^"([\w.$]{1,200})" \[[^\]]{1,200}\] undefined!$/;
const KCONFIG_ERROR_WORDS = /syntax error|invalid statement|unknown statement|unexpected|can't open|missing|error|not found/i;

function quotedSymbol(message: string): string | undefined {
  return QUOTED.exec(message)?.[1];
}

/** Splits a trailing [-Wflag] off a compiler message. */
function splitFlag(message: string): { message: string; flag?: string } {
  const m = CLANG_WFLAG.exec(message) ?? WFLAG.exec(message);
  return m ? { message: message.slice(0, m.index).trimEnd(), flag: m[1] } : { message };
}

/** `./include/x.h` → `include/x.h` (out-of-tree and some kbuild steps print the ./). */
function cleanPath(path: string): string {
  return path.startsWith('./') ? path.replace(/^(?:\.\/){1,10}/, '') : path;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function stripStop(s: string): string {
  return s.replace(/\.? {0,4}Stop\.$/, '.').replace(/\.\.$/, '.');
}

/** A link error's title: quotes normalised, the "; first defined here" tail of duplicates dropped. */
function linkError(id: string, raw: string, file?: string, section?: string): LineMatch {
  let message = normalizeMessage(raw);
  const undefinedSymbol = /^undefined symbol: ([^\s]{1,200})$/.exec(message); // ld.lld
  if (undefinedSymbol) message = `undefined reference to '${undefinedSymbol[1]}'`;
  const semi = message.indexOf('; ');
  if (semi > 0) message = message.slice(0, semi);
  const symbol = quotedSymbol(message) ?? undefinedSymbol?.[1];
  return { id, role: 'error', kind: 'link', file: file === undefined ? undefined : cleanPath(file), message, title: message, symbol, section };
}

/**
 * The line patterns, first match wins: more specific before more generic.
 * Everything not matched is plain text (source excerpts, carets, tool chatter).
 */
export const BUILD_LINE_PATTERNS: readonly LinePattern[] = [
  {
    // make[2]: *** [scripts/Makefile.build:250: mm/foo.o] Error 1 / make: *** No rule to make target 'x'.  Stop.
    id: 'make',
    quick: (s) => s.startsWith('make') || s.startsWith('gmake'),
    re: /^g?make(?:\[\d{1,6}\])?: \*\*\* (.{1,4096})$/,
    match: (m) => {
      const msg = normalizeMessage(m[1]);
      if (msg.startsWith('Waiting for unfinished jobs')) return { id: 'make', role: 'ignore', message: msg };
      const message = msg.startsWith('[') ? msg : stripStop(msg);
      return { id: 'make', role: msg.startsWith('[') ? 'fallback' : 'error', kind: 'make', message, title: `make: *** ${message}` };
    },
  },
  {
    // Makefile:12: *** missing separator.  Stop.
    id: 'makefile',
    quick: (s) => s.includes(': ***'),
    re: new RegExp(String.raw`^(${P}{1,240}):(\d{1,7}): \*\*\* (.{1,4096})$`),
    match: (m) => {
      const message = stripStop(normalizeMessage(m[3]));
      const file = cleanPath(m[1]);
      return { id: 'makefile', role: 'error', kind: 'make', file, line: +m[2], message, title: `${file}:${m[2]}: *** ${message}` };
    },
  },
  {
    // mm/Kconfig:12: syntax error / mm/Kconfig:12:error: recursive dependency detected! / .config:3:warning: ...
    id: 'kconfig',
    quick: (s) => s.includes('Kconfig') || s.startsWith('.config:'),
    re: new RegExp(String.raw`^((?:${P}{0,240}/)?(?:Kconfig(?:\.[\w-]{1,40})?|\.config)):(\d{1,7}):([ \t]?)(?:(error|warning): ?)?(.{0,4096})$`),
    match: (m) => {
      const [, path, line, gap, severity, rest] = m;
      const file = cleanPath(path);
      const message = normalizeMessage(rest);
      const base = { id: 'kconfig', kind: 'kconfig' as const, file, line: +line, message };
      if (severity === 'warning') return { ...base, role: 'warning' };
      if (severity === 'error') return { ...base, role: 'error', title: `${file}:${line}: error: ${message}` };
      // "\tsymbol FOO depends on BAR" continues a recursive dependency report
      if (gap === '\t' || message.startsWith('symbol ') || !KCONFIG_ERROR_WORDS.test(message)) return { ...base, role: 'note' };
      return { ...base, role: 'error', title: `${file}:${line}: ${message}` };
    },
  },
  {
    // *** Error during update of the configuration. / *** Configuration file ".config" not found!
    id: 'kconfig-banner',
    quick: (s) => s.startsWith('***'),
    re: /^\*\*\* ?(.{1,4096})$/,
    match: (m) => {
      const message = normalizeMessage(m[1]);
      if (!/recursive dependency|^Error during (?:writing|update) of the configuration|^Configuration file .{1,200} not found/.test(message)) {
        return { id: 'kconfig-banner', role: 'ignore', message };
      }
      return { id: 'kconfig-banner', role: 'error', kind: 'kconfig', message, title: message };
    },
  },
  {
    // In file included from mm/foo.c:3: / "                 from include/x.h:5,"
    id: 'include-chain',
    quick: (s) => s.startsWith('In file included from ') || s.trimStart().startsWith('from '),
    re: new RegExp(String.raw`^(?:In file included|\s{1,40}) from (${P}{1,240}):(\d{1,7})(?::\d{1,5})?[:,]$`),
    match: (m) => ({ id: 'include-chain', role: 'prelude', file: cleanPath(m[1]), line: +m[2], message: m[0].trim() }),
  },
  {
    // arch/x86/entry/entry_64.S: Assembler messages:
    id: 'assembler-messages',
    quick: (s) => s.endsWith(': Assembler messages:'),
    re: new RegExp(String.raw`^(${P}{1,240}|\{standard input\}): Assembler messages:$`),
    match: (m) => ({ id: 'assembler-messages', role: 'prelude', file: cleanPath(m[1]), message: m[0] }),
  },
  {
    // "    inlined from ‘bar’ at mm/x.c:12:3:"
    id: 'inlined-from',
    quick: (s) => s.includes('inlined from '),
    re: new RegExp(String.raw`^\s{1,40}inlined from [\x60‘'"]([^\x60‘’'"]{1,300})['’"] at (${P}{1,240}):(\d{1,7})(?::\d{1,5})?[:,]$`),
    match: (m) => ({ id: 'inlined-from', role: 'prelude', message: m[0].trim() }),
  },
  {
    // mm/x.c: In function ‘f’: / mm/built-in.o: In function `f': / ld: mm/x.o: in function `f': / mm/x.c: At top level:
    id: 'context',
    quick: (s) => s.includes('unction') || s.includes('At top level'),
    re: new RegExp(
      String.raw`^(?:(${P}{0,100}ld(?:\.\w{1,10})?(?:-\d{1,3})?): )?(${P}{1,240}(?:\([^()]{1,100}\))?): ([Ii]n (?:\w{1,20} ){0,2}function|At top level|In (?:constructor|destructor))(?: [\x60‘'"]([^\x60‘’'"]{1,300})['’"])?[:,]$`,
    ),
    match: (m) => {
      const link = m[1] !== undefined || LINK_OBJECT.test(m[2]);
      const file = cleanPath(m[2]);
      return { id: 'context', role: 'context', file, func: m[4] ?? null, contextKey: link ? '<link>' : file, message: m[0] };
    },
  },
  {
    // mm/x.c:156:17: error: ... / include/x.h:5: warning: ... [-Wfoo] / arch/x86/a.S:12: Error: ... / {standard input}:3: Error:
    id: 'diagnostic',
    quick: (s) => s.includes(': '),
    re: new RegExp(
      String.raw`^(${P}{1,240}|<[\w -]{1,40}>|\{standard input\}):(\d{1,7}):(?:(\d{1,5}):)? ?(fatal error|internal compiler error|error|warning|note|Error|Warning|Fatal error|Info|Message|remark)(?:\[[\w-]{1,40}\])?: ?(.{0,4096})$`,
    ),
    match: (m) => {
      const [, path, line, col, severity] = m;
      const file = cleanPath(path);
      const { message: rest, flag } = splitFlag(m[5]);
      const message = normalizeMessage(rest);
      const kind = /^[A-Z]/.test(severity) || ASM_FILE.test(file) ? 'assembler' : 'compile';
      const base = { id: 'diagnostic', kind, file, line: +line, column: col === undefined ? undefined : +col, message, flag } as const;
      if (/^(?:note|Info|Message|remark)$/.test(severity)) return { ...base, role: 'note' };
      if (/^[Ww]arning$/.test(severity)) return { ...base, role: 'warning' };
      // gcc 4 reported the other half of "conflicting types" as an error
      if (/^previous (?:implicit )?(?:declaration|definition)\b|^previously (?:declared|defined) here/.test(message)) return { ...base, role: 'note' };
      return { ...base, role: 'error', title: `${file}:${line}: ${severity}: ${message}`, symbol: quotedSymbol(message) };
    },
  },
  {
    // scripts/kconfig/merge_config.sh: line 12: syntax error: unexpected end of file / scripts/kconfig/conf: ... error ...
    // (after 'diagnostic': a host compile error in scripts/kconfig/*.c is a compile error)
    id: 'kconfig-tool',
    quick: (s) => s.startsWith('scripts/kconfig/'),
    re: /^(scripts\/kconfig\/[\w./+-]{1,200}):(?:(\d{1,7}):)? (.{1,4096})$/,
    match: (m) => {
      const message = normalizeMessage(m[3]);
      if (!/\berror\b/i.test(message) || /^recipe for target/.test(message)) return null;
      const where = m[2] === undefined ? m[1] : `${m[1]}:${m[2]}`;
      return { id: 'kconfig-tool', role: 'error', kind: 'kconfig', file: m[1], line: m[2] === undefined ? undefined : +m[2], message, title: `${where}: ${message}` };
    },
  },
  {
    // (.text+0x49fa6): undefined reference to `f' / ld: sparse.c:(.text+0x1a): ... / a.o:(.bss+0x0): multiple definition of `x'; ...
    id: 'link-section',
    quick: (s) => s.includes('+0x'),
    re: new RegExp(
      String.raw`^(?:${P}{0,100}ld(?:\.\w{1,10})?(?:-\d{1,3})?: )?(?:(${P}{1,240}(?:\([^()]{1,100}\))?):)?\(([^()\s]{1,120})\+0x[0-9a-fA-F]{1,16}\): (.{1,4096})$`,
    ),
    match: (m) => {
      if (m[3].startsWith('additional relocation overflows omitted')) return { id: 'link-section', role: 'note', message: m[3] };
      if (/^(?:warning|note):/.test(m[3])) return { id: 'link-section', role: 'ignore', message: m[3] };
      return linkError('link-section', m[3], m[1], m[2]);
    },
  },
  {
    // ld.lld: error: undefined symbol: f / aarch64-linux-gnu-ld: cannot find -lfoo / ld: final link failed: ...
    id: 'linker',
    quick: (s) => {
      const i = s.indexOf('ld');
      return i >= 0 && i < 110;
    },
    re: new RegExp(String.raw`^(${P}{0,100}ld(?:\.\w{1,10})?(?:-\d{1,3})?): (?:(error|warning|fatal error): )?(.{1,4096})$`),
    match: (m) => {
      const tool = baseName(m[1]);
      if (!/^(?:[\w.+-]{0,60}-)?(?:ld|ld\.\w{1,10}|lld)(?:-\d{1,3})?$/.test(tool)) return null;
      const message = m[3];
      if (m[2] === 'warning' || /^(?:warning|NOTE|note):|: warning: /.test(message)) return { id: 'linker', role: 'ignore', message };
      return linkError('linker', message);
    },
  },
  {
    // ERROR: modpost: "f" [mm/x.ko] undefined! / ERROR: "f" [mm/x.ko] undefined! / ERROR: Kernel configuration is invalid.
    id: 'modpost',
    quick: (s) => s.startsWith('ERROR: ') || s.startsWith('FATAL: ') || s.startsWith('WARNING: '),
    re: /^(ERROR|FATAL|WARNING): (modpost: )?(.{1,4096})$/,
    match: (m) => {
      const message = normalizeMessage(m[3]);
      if (m[1] === 'WARNING') return { id: 'modpost', role: 'ignore', message };
      const old = OLD_MODPOST_UNDEFINED.exec(message);
      if (m[2] || old) {
        const symbol = old?.[1] ?? /^"([\w.$]{1,200})"/.exec(message)?.[1];
        return { id: 'modpost', role: 'error', kind: 'modpost', message, title: `modpost: ${message}`, symbol };
      }
      if (message.startsWith('Kernel configuration is invalid')) {
        return { id: 'modpost', role: 'error', kind: 'kconfig', message, title: message };
      }
      return null;
    },
  },
  {
    // cc1: error: unrecognized command-line option / gcc: fatal error: Killed signal terminated program cc1 / vmlinux.o: error: objtool: ...
    id: 'tool-error',
    quick: (s) => s.includes('error: ') || s.includes('Error: '),
    re: new RegExp(String.raw`^(${P}{1,240}|<command-line>): (fatal error|internal compiler error|error|Error): (.{1,4096})$`),
    match: (m) => {
      const tool = baseName(m[1]);
      const message = normalizeMessage(m[3]);
      if (tool === 'collect2') return { id: 'tool-error', role: 'ignore', message }; // "ld returned 1 exit status"
      let kind: BuildErrorKind;
      if (COMPILER_TOOL.test(tool) || m[1] === '<command-line>') kind = 'compile';
      else if (ASSEMBLER_TOOL.test(tool)) kind = 'assembler';
      else if (LINK_OBJECT.test(m[1])) kind = 'link';
      else return null;
      return { id: 'tool-error', role: 'error', kind, message, title: `${m[1]}: ${m[2]}: ${message}`, symbol: quotedSymbol(message) };
    },
  },
  {
    // kbuild's short log ("  CC [M]  mm/foo.o", "  LD      vmlinux"), make's directory lines, -Werror summaries
    id: 'noise',
    quick: (s) => s.startsWith('  ') || s.startsWith('make') || s.startsWith('cc1') || s.includes('being treated as errors'),
    re: /^(?: {2}[A-Z][A-Z0-9_-]{0,10}(?: \[[A-Z]\])? {1,12}[^\s(]|g?make(?:\[\d{1,6}\])?: (?:Entering|Leaving|Nothing to be done)|[\w.+-]{1,60}: (?:all|some) warnings being treated as errors)/,
    match: (m) => ({ id: 'noise', role: 'ignore', message: m[0] }),
  },
];

/** Classifies one cleaned line (null: plain text). */
export function classifyBuildLine(text: string): LineMatch | null {
  if (text.length < 4) return null;
  for (const p of BUILD_LINE_PATTERNS) {
    if (p.quick && !p.quick(text)) continue;
    const m = p.re.exec(text);
    if (!m) continue;
    const r = p.match(m);
    if (r) return r;
  }
  return null;
}

