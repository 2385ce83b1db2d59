/*
 * Which stored builds a retention policy removes: first every build unused
 * for longer than maxAgeDays, then the least recently used until the total
 * fits maxTotalBytes. Builds named in `keep` (baselines in use) are never
 * removed, even when that leaves the total above the limit. Pure and
 * deterministic: the same entries, policy and clock give the same answer.
 */

export interface RetentionEntry {
  key: string;
  bytes: number;
  /** ISO time of the last put or fetch. */
  lastUsedAt: string;
}

export interface RetentionLimits {
  maxAgeDays?: number;
  maxTotalBytes?: number;
  keep?: readonly string[];
}

export interface RetentionSelection {
  /** Keys to remove, in the order they were chosen (oldest first). */
  remove: string[];
  /** Total bytes of the builds that stay. */
  keptBytes: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function selectForRetention(entries: readonly RetentionEntry[], policy: RetentionLimits, now: Date): RetentionSelection {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new Error('retention: now is not a valid date');
  checkLimit('maxAgeDays', policy.maxAgeDays);
  checkLimit('maxTotalBytes', policy.maxTotalBytes);
  const keep = new Set(policy.keep ?? []);

  const seen = new Set<string>();
  const dated = entries.map((e) => {
    if (seen.has(e.key)) throw new Error(`retention: key ${e.key} is listed twice`);
    seen.add(e.key);
    if (!Number.isFinite(e.bytes) || e.bytes < 0) throw new Error(`retention: ${e.key} has an invalid size ${e.bytes}`);
    const usedMs = Date.parse(e.lastUsedAt);
    if (!Number.isFinite(usedMs)) throw new Error(`retention: ${e.key} has an invalid lastUsedAt "${e.lastUsedAt}"`);
    return { ...e, usedMs };
  });
  // Least recently used first; the key breaks ties so the order never depends on the input's.
  dated.sort((a, b) => a.usedMs - b.usedMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const remove: string[] = [];
  const stays: typeof dated = [];
  for (const e of dated) {
    const tooOld = policy.maxAgeDays !== undefined && nowMs - e.usedMs > policy.maxAgeDays * DAY_MS;
    if (tooOld && !keep.has(e.key)) remove.push(e.key);
    else stays.push(e);
  }

  let total = stays.reduce((sum, e) => sum + e.bytes, 0);
  if (policy.maxTotalBytes !== undefined) {
    for (const e of stays) {
      if (total <= policy.maxTotalBytes) break;
      if (keep.has(e.key)) continue;
      remove.push(e.key);
      total -= e.bytes;
    }
  }
  return { remove, keptBytes: total };
}

function checkLimit(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`retention: ${name} must be a number >= 0, not ${String(value)}`);
}
