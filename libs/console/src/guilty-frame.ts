import type { CrashKind } from './crash-kind';
import { findFrameToken, isLinkRegisterLine, normalizeFrameName, parseFrameLine, pcFrame } from './frames';
import { GENERIC_SKIP, skipMatcher } from './skip-frames';

// Stacks printed later in a report belong to other events (where the object
// was allocated or freed): the guilty frame is never taken from them.
const OTHER_STACKS = /^(?:Allocated by task|Freed by task|Last potentially related|Second to last potentially|The buggy address|Uninit was (?:created|stored)|Memory state around)/;
const GENERIC = skipMatcher(GENERIC_SKIP);
// A C function name; a mangled line can put a number where a name should be.
const IDENTIFIER = /^[A-Za-z_][\w$]{0,200}$/;
const SKIP_CACHE = new Map<string, (name: string) => boolean>();

/** The kind's skip test, memoised per name: the same few hundred names recur in every report. */
function skipFor(kind: CrashKind): (name: string) => boolean {
  let test = SKIP_CACHE.get(kind.id);
  if (!test) {
    const re = kind.frame?.skip?.length ? skipMatcher(GENERIC_SKIP, ...kind.frame.skip) : GENERIC;
    const memo = new Map<string, boolean>();
    test = (name) => {
      let r = memo.get(name);
      if (r === undefined) {
        r = re.test(name);
        if (memo.size < 20_000) memo.set(name, r);
      }
      return r;
    };
    SKIP_CACHE.set(kind.id, test);
  }
  return test;
}

/**
 * The first frame of the report that is not a generic helper, looked for in
 * the places the kind names (header, then program counter and call trace in
 * report order, or lockdep's "at:" lines). Null when nothing can be trusted.
 */
export function guiltyFrame(kind: CrashKind, header: RegExpExecArray, bodies: readonly string[]): string | null {
  const rule = kind.frame ?? { from: ['report'] as const };
  const skip = skipFor(kind);
  const ok = (name: string | null | undefined): name is string => !!name && IDENTIFIER.test(name) && !skip(name);
  for (const source of rule.from) {
    if (source === 'header') {
      const raw = rule.headerGroup !== undefined ? header[rule.headerGroup] : undefined;
      const name = raw ? normalizeFrameName(raw) : null;
      if (ok(name)) return name;
    } else if (source === 'lock-at') {
      for (const body of bodies) {
        const at = body.indexOf('at: ');
        if (at < 0) continue;
        const t = findFrameToken(body, at + 4);
        const name = t ? normalizeFrameName(t.name) : null;
        if (ok(name)) return name;
      }
    } else {
      let armed = !rule.after;
      for (const body of bodies) {
        if (!armed) {
          armed = rule.after!.test(body);
          continue;
        }
        if (OTHER_STACKS.test(body)) break;
        if (isLinkRegisterLine(body)) continue;
        const pc = pcFrame(body);
        if (pc !== null) {
          if (ok(pc)) return pc;
          continue;
        }
        const f = parseFrameLine(body);
        if (f && f.reliable && ok(f.name)) return f.name;
      }
    }
  }
  return null;
}
