import type { CrashKind } from './crash-kind';
import { BUILD_KINDS } from './kinds-build';
import { FAULT_KINDS } from './kinds-faults';
import { HANG_KINDS } from './kinds-hangs';
import { MEMORY_KINDS } from './kinds-memory';
import { SANITIZER_KINDS } from './kinds-sanitizers';
import { WARNING_KINDS } from './kinds-warnings';
import { looksLikeBuildLine } from './build-shape';

/**
 * Every crash kind, most specific first: the first kind whose header matches
 * a line wins (syzkaller's pkg/report works the same way).
 */
export const CRASH_KINDS: readonly CrashKind[] = [
  ...SANITIZER_KINDS,
  ...MEMORY_KINDS,
  ...WARNING_KINDS,
  ...FAULT_KINDS,
  ...HANG_KINDS,
  ...BUILD_KINDS,
];

const BY_ID = new Map(CRASH_KINDS.map((k) => [k.id, k]));

export function crashKindById(id: string): CrashKind {
  const k = BY_ID.get(id);
  if (!k) throw new Error(`unknown crash kind ${id}`);
  return k;
}

/** Every literal header beginning, for the analyzer's prefilter. */
export function crashPrefixes(): string[] {
  return [...new Set(CRASH_KINDS.flatMap((k) => k.prefixes))];
}

export interface HeaderMatch {
  kind: CrashKind;
  match: RegExpExecArray;
}

// Kinds bucketed by the first two characters of their prefixes, in table order.
const BUCKETS = new Map<number, CrashKind[]>();
const key2 = (s: string) => (s.charCodeAt(0) << 16) | s.charCodeAt(1);
for (const k of CRASH_KINDS) {
  for (const p of k.prefixes) {
    const key = key2(p);
    const list = BUCKETS.get(key) ?? [];
    if (!list.includes(k)) list.push(k);
    BUCKETS.set(key, list);
  }
}
for (const list of BUCKETS.values()) list.sort((a, b) => CRASH_KINDS.indexOf(a) - CRASH_KINDS.indexOf(b));
const BUILD_SHAPED = CRASH_KINDS.filter((k) => k.buildShape);

// The joiner and the detector ask about the same line one after the other.
let lastBody: string | null = null;
let lastMatch: HeaderMatch | null = null;

/** The crash kind whose header this line body is, if any. */
export function matchHeader(body: string): HeaderMatch | null {
  if (body === lastBody) return lastMatch;
  lastBody = body;
  lastMatch = findHeader(body);
  return lastMatch;
}

function findHeader(body: string): HeaderMatch | null {
  const bucket = body.length >= 2 ? BUCKETS.get(key2(body)) : undefined;
  if (bucket) {
    for (const kind of bucket) {
      if (!startsWithAny(body, kind.prefixes)) continue;
      const m = kind.header.exec(body);
      if (m) return { kind, match: m };
    }
  }
  if (looksLikeBuildLine(body)) {
    for (const kind of BUILD_SHAPED) {
      const m = kind.header.exec(body);
      if (m) return { kind, match: m };
    }
  }
  return null;
}

function startsWithAny(body: string, prefixes: readonly string[]): boolean {
  for (let i = 0; i < prefixes.length; i++) if (body.startsWith(prefixes[i])) return true;
  return false;
}
