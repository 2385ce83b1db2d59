import { classifyBuildLine, type BuildErrorKind, type LineMatch } from './build-log-patterns';
import { decodeLog, isLinkerNote, splitLogLines } from './build-log-text';
import { repairMailWraps, type LogicalLine } from './mail-wraps';

export type { BuildErrorKind } from './build-log-patterns';

export interface BuildError {
  kind: BuildErrorKind;
  /** One line naming the error, e.g. `mm/x.c:156: error: lvalue required as left operand of assignment`. */
  title: string;
  file?: string;
  line?: number;
  column?: number;
  message: string;
  /** -Wflag of a warning turned into an error by -Werror. */
  flag?: string;
  /** The function it happened in, from the compiler's or linker's "In function" line. */
  function?: string;
  /** Undefined or duplicate symbol (link, modpost). */
  symbol?: string;
  /** The diagnostic's lines: "In function" context, include chain, the message, source excerpt, notes. */
  text: string;
  /** 1-based log line of the first occurrence. */
  logLine: number;
  /** Occurrences: same kind, title and function. */
  count: number;
}

export interface BuildWarning {
  kind: 'compile' | 'assembler' | 'kconfig';
  file: string;
  line: number;
  column?: number;
  message: string;
  flag?: string;
  logLine: number;
  /** Occurrences: same file, line, message and flag (a header's warning repeats per includer). */
  count: number;
}

export interface BuildLogAnalysis {
  status: 'ok' | 'failed';
  /** The first error's title; make's `*** [...] Error N` only when there is nothing else. */
  title: string | null;
  errors: BuildError[];
  warnings: BuildWarning[];
  /** Lines read. */
  lines: number;
}

/** Bounds that keep memory flat whatever the log. */
export const BUILD_LOG_LIMITS = {
  /** Distinct errors kept (later ones are still counted if already known). */
  errors: 1000,
  /** Distinct warnings kept. */
  warnings: 5000,
  /** Lines of text kept per error. */
  textLines: 40,
  /** Lines of an include chain remembered for the next diagnostic. */
  prelude: 24,
  /** Files whose "In function" context is remembered. */
  contexts: 4096,
} as const;

interface TextLine {
  lineNo: number;
  text: string;
}

interface Open {
  /** null: swallow the excerpt lines of a diagnostic whose text is not kept (warnings, repeats). */
  lines: TextLine[] | null;
}

/** Reads a kernel build log (make, gcc/clang, ld/lld, as, modpost, Kconfig output) for its errors and warnings. */
export function analyzeBuildLog(input: string | Uint8Array): BuildLogAnalysis {
  const physical = splitLogLines(decodeLog(input));
  const lines = repairMailWraps(physical, classifyBuildLine);
  const errors = new Map<string, BuildError & { lines: TextLine[]; fallback: boolean }>();
  const warnings = new Map<string, BuildWarning>();
  const contexts = new Map<string, Context>();
  let prelude: TextLine[] = [];
  let open: Open | null = null;

  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const m = l.match;
    if (m === null) {
      if (open && continuesDiagnostic(l, lines[i + 1])) {
        keep(open, l);
        continue;
      }
      open = null;
      continue;
    }
    switch (m.role) {
      case 'ignore':
        open = null;
        break;
      case 'prelude':
        if (m.id === 'include-chain' && l.text.startsWith('In file included')) prelude = [];
        if (prelude.length < BUILD_LOG_LIMITS.prelude) prelude.push(textLine(l));
        open = null;
        break;
      case 'context':
        if (contexts.size < BUILD_LOG_LIMITS.contexts || contexts.has(m.contextKey!)) {
          contexts.set(m.contextKey!, { func: m.func ?? null, file: m.file!, line: textLine(l) });
        }
        open = null;
        break;
      case 'note':
        if (open) keep(open, l);
        break;
      case 'warning': {
        prelude = [];
        open = { lines: null };
        if (m.file === undefined || m.line === undefined) break;
        const key = `${m.file}\0${m.line}\0${m.message}\0${m.flag ?? ''}`;
        const known = warnings.get(key);
        if (known) known.count++;
        else if (warnings.size < BUILD_LOG_LIMITS.warnings) warnings.set(key, warningOf(m, l));
        break;
      }
      case 'error':
      case 'fallback': {
        const ctx = contextOf(m, contexts);
        const key = `${m.kind}\0${m.title}\0${ctx?.func ?? ''}`;
        const known = errors.get(key);
        if (known) {
          known.count++;
          open = { lines: null };
        } else if (errors.size < BUILD_LOG_LIMITS.errors) {
          const text = [...(ctx ? [ctx.line] : []), ...prelude, textLine(l)];
          const e = { ...errorOf(m, l, ctx?.func ?? undefined), lines: text, fallback: m.role === 'fallback' };
          errors.set(key, e);
          open = { lines: text };
        } else {
          open = { lines: null };
        }
        prelude = [];
        break;
      }
    }
  }

  const all = [...errors.values()];
  const first = all.find((e) => !e.fallback) ?? all[0];
  const list = all.map(({ lines: text, fallback: _f, ...e }) => ({ ...e, text: joinText(text) }));
  return {
    status: list.length > 0 ? 'failed' : 'ok',
    title: first?.title ?? null,
    errors: list,
    warnings: [...warnings.values()],
    lines: physical.length,
  };
}

interface Context {
  func: string | null;
  file: string;
  line: TextLine;
}

/** `mm/sparse.o`, `sparse.c` → `sparse`. */
function stem(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(/\(.*$/, '');
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

function contextOf(m: LineMatch, contexts: Map<string, Context>) {
  if (m.kind === 'link') {
    // ld says "in function" when the function changes, and nothing for data
    // sections: its last context applies to code of the same object only.
    const ctx = contexts.get('<link>');
    if (!ctx || m.section === undefined || !m.section.includes('text')) return undefined;
    return m.file === undefined || stem(m.file) === stem(ctx.file) ? ctx : undefined;
  }
  if (m.kind === 'compile' || m.kind === 'assembler') return m.file === undefined ? undefined : contexts.get(m.file);
  return undefined;
}

/**
 * Lines after a diagnostic that belong to it: an indented source excerpt or
 * caret line (gcc, `  156 |   x = 1;`), ld.lld's `>>>` notes, or clang's
 * unindented source line when a caret line follows it.
 */
function continuesDiagnostic(l: LogicalLine, next: LogicalLine | undefined): boolean {
  const t = l.text;
  if (t.trim() === '') return false;
  if (l.lldNote || isLinkerNote(t)) return true;
  const c = t.charCodeAt(0);
  if (c === 0x20 || c === 0x09 || CARET.test(t)) return true;
  return next !== undefined && next.match === null && /^[ \t]{0,200}(?:\|[ \t]{0,200})?[\^~]/.test(next.text);
}

// gcc/clang's caret line, whose indentation a mailer's ">" quoting may have eaten
const CARET = /^[\^~][~^ \t]{0,4000}$/;

function keep(open: Open, l: LogicalLine): void {
  if (open.lines && open.lines.length < BUILD_LOG_LIMITS.textLines) open.lines.push(textLine(l));
}

function textLine(l: LogicalLine): TextLine {
  return { lineNo: l.lineNo, text: l.text };
}

/** Text in log order (a context line may come long before, or, interleaved by make -j, among others). */
function joinText(lines: TextLine[]): string {
  return [...lines]
    .sort((a, b) => a.lineNo - b.lineNo)
    .map((t) => t.text.trimEnd())
    .join('\n');
}

function errorOf(m: LineMatch, l: LogicalLine, func: string | undefined): BuildError {
  const e: BuildError = { kind: m.kind!, title: m.title ?? m.message, message: m.message, text: '', logLine: l.lineNo, count: 1 };
  if (m.file !== undefined) e.file = m.file;
  if (m.line !== undefined) e.line = m.line;
  if (m.column !== undefined) e.column = m.column;
  if (m.flag !== undefined) e.flag = m.flag;
  if (func !== undefined) e.function = func;
  if (m.symbol !== undefined) e.symbol = m.symbol;
  return e;
}

function warningOf(m: LineMatch, l: LogicalLine): BuildWarning {
  const kind = m.kind === 'assembler' || m.kind === 'kconfig' ? m.kind : 'compile';
  const w: BuildWarning = { kind, file: m.file!, line: m.line!, message: m.message, logLine: l.lineNo, count: 1 };
  if (m.column !== undefined) w.column = m.column;
  if (m.flag !== undefined) w.flag = m.flag;
  return w;
}
