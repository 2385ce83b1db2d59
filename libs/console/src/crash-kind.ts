import type { CrashType } from './types';

/**
 * How a header line takes part in a report:
 * - `report`: the header of a crash report; decides the title.
 * - `oops`: a die()/Oops line. Part of the report it follows (`kernel BUG at`
 *   then `invalid opcode: 0000 [#1]`); a report of its own only when alone.
 * - `panic`: `Kernel panic - not syncing`. Ends the crash it follows.
 * - `marker`: `[ cut here ]`: opens a report, the header comes next.
 * - `tentative`: a generic header that counts only if a kernel register or
 *   stack dump follows (user space prints "BUG: ..." lines too).
 * - `context`: not a crash; remembered for the next build error (`In function`).
 */
export type CrashRole = 'report' | 'oops' | 'panic' | 'marker' | 'tentative' | 'context';

/**
 * Where the guilty frame may come from, tried in order:
 * - `header`: the function named on the header line (`WARNING: ... at f.c:1 func+0x..`);
 * - `report`: program-counter lines and call-trace frames, in report order;
 * - `lock-at`: lockdep's `..., at: func+0x..` lines.
 */
export type FrameSource = 'header' | 'report' | 'lock-at';

export interface FrameRule {
  from: readonly FrameSource[];
  /** Header group holding the function name (for `header`). */
  headerGroup?: number;
  /** Kind-specific frames to skip, on top of the generic list (see skip-frames.ts). */
  skip?: readonly (readonly string[])[];
  /** Only frames after the first line matching this count (lockdep's "stack backtrace:"). */
  after?: RegExp;
}

/** What a title template or a type function sees. */
export interface TitleParts {
  /** Header match groups; [0] is the whole match. */
  groups: readonly string[];
  /** First group of `detail` found in the report, or ''. */
  detail: string;
  frame: string | null;
  /** The report's lines (bodies), for kinds that need a look beyond the header. */
  lines: readonly string[];
}

export interface CrashKind {
  id: string;
  /** Literal beginnings of the header body: the cheap trigger (printable ASCII, 2+ chars). */
  prefixes: readonly string[];
  /** Anchored at the start of the body. Keep it linear: no nested quantifiers. */
  header: RegExp;
  role: CrashRole;
  type: CrashType | ((p: TitleParts) => CrashType);
  /**
   * Title template: {1}..{9} header groups, {detail}, {frame}. A title with
   * {frame} and no trustworthy frame ends in "in corrupted".
   */
  title: string | ((p: TitleParts) => string);
  /** Omitted: the title names no frame (a frame is still looked for, for information). */
  frame?: FrameRule;
  /** The first group of this pattern, found on a report line, fills {detail}. */
  detail?: RegExp;
  /** Sanitizer reports end at their closing `=====` line. */
  endsAtSeparator?: boolean;
  /** Lines of other CPUs/tasks are part of it (stall reports dump other CPUs). */
  anyCaller?: boolean;
  /** Report length cap in lines (build errors: the line and its continuation). */
  maxLines?: number;
  /** Reinterpret as another kind when the header matches (`kernel BUG at lib/list_debug.c`). */
  refine?: readonly { when: RegExp; use: string }[];
  /** Only a consequence was seen (`Fatal exception`): the crash itself was lost. */
  alwaysCorrupted?: boolean;
  /**
   * Reports that come in two parts, printed one right after the other: a
   * `message` (list_del corruption, refcount_t, ODEBUG ...) and the `splat`
   * (WARNING / kernel BUG) it goes with, in either order. Any other second
   * report header starts a new crash.
   */
  pairsAs?: 'splat' | 'message';
  /** Triggered by a line shape instead of prefixes (build tool output). */
  buildShape?: boolean;
  /** Custom frame finder (build errors: the enclosing function from the last "In function" line). */
  frameOf?: (groups: readonly string[], lines: readonly string[], context: BuildContext | null) => string | null;
}

/** The last `file: In function 'f':` line seen. */
export interface BuildContext {
  file: string;
  func: string;
}

/** Helper for type functions keyed on words in a header group. */
export function typeByWords(
  group: number,
  table: ReadonlyArray<readonly [RegExp, CrashType]>,
  fallback: CrashType,
): (p: TitleParts) => CrashType {
  return (p) => {
    const text = `${p.groups[group] ?? ''} ${p.detail}`;
    for (const [re, t] of table) if (re.test(text)) return t;
    return fallback;
  };
}
