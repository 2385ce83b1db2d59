import type { Crash } from './types';

// Bounds that keep memory flat on pathological logs (thousands of distinct crashes).
const MAX_DISTINCT = 1_000;
/** Recent header lines per title, to recognise a second console's echo (it follows closely). */
const RECENT_HEADERS = 64;

export type DedupOutcome = 'new' | 'repeat' | 'duplicate' | 'dropped';

/**
 * One crash per title, with a count: the same splat printed again is one bug.
 * A repeat whose timestamped header line is identical to one already seen is
 * the same splat shown by a second console, and is not counted.
 */
export class CrashDeduper {
  private readonly byTitle = new Map<string, { crash: Crash; headers: Set<string> }>();
  private readonly list: Crash[] = [];
  dropped = 0;

  add(crash: Crash, headerLine: string, timestamped: boolean): { crash: Crash; outcome: DedupOutcome } {
    const known = this.byTitle.get(crash.title);
    if (known) {
      if (timestamped && known.headers.has(headerLine)) return { crash: known.crash, outcome: 'duplicate' };
      if (timestamped) {
        known.headers.add(headerLine);
        if (known.headers.size > RECENT_HEADERS) known.headers.delete(known.headers.values().next().value!);
      }
      known.crash.count++;
      return { crash: known.crash, outcome: 'repeat' };
    }
    if (this.byTitle.size >= MAX_DISTINCT) {
      this.dropped++;
      return { crash, outcome: 'dropped' };
    }
    this.byTitle.set(crash.title, { crash, headers: new Set(timestamped ? [headerLine] : []) });
    this.list.push(crash);
    return { crash, outcome: 'new' };
  }

  /** Crashes in log order (of first occurrence). */
  crashes(): Crash[] {
    return [...this.list].sort((a, b) => a.startLine - b.startLine);
  }
}
