/** The top of the priority scale (`urgent`); effective priority never exceeds it. */
export const MAX_PRIORITY = 100;

/**
 * Aging: one point of effective priority per minute of waiting, up to
 * MAX_PRIORITY. A named priority step (low 25, normal 50, high 75, urgent
 * 100) is thus worth 25 minutes in the queue: a low run beats a fresh high
 * one after 50 minutes, and every run is at the top of the scale after at
 * most 100 minutes, from where only fair share and then age order it. Runs
 * take minutes to an hour (boot and tests; a build adds up to an hour), so
 * priorities still mean something when the queue is a few runs deep, and no
 * run waits for hours behind a stream of urgent work.
 */
export const AGING_POINTS_PER_MINUTE = 1;

/**
 * The cap on aging is the top of the scale rather than a fixed number of
 * points: base + aging <= MAX_PRIORITY, i.e. the aging term is at most
 * 100 - base (100 points for a priority-0 run). With a fixed cap, two runs
 * that have both reached it would keep their base difference forever, so
 * an old backlog of high-priority work would keep beating every other
 * user's lower-priority run; capped at the top, runs that waited long enough
 * are equals and fair share and age decide between them.
 */
export function effectivePriority(priority: number, waitedMs: number, agingPointsPerMinute: number = AGING_POINTS_PER_MINUTE): number {
  const aged = priority + (agingPointsPerMinute * Math.max(0, waitedMs)) / 60_000;
  return aged < MAX_PRIORITY ? aged : MAX_PRIORITY;
}

/** Minutes a run of `priority` waits before its effective priority reaches `target` (Infinity when aging is off). */
export function minutesToReach(priority: number, target: number, agingPointsPerMinute: number = AGING_POINTS_PER_MINUTE): number {
  if (priority >= target) return 0;
  if (target > MAX_PRIORITY) return Infinity;
  return agingPointsPerMinute > 0 ? (target - priority) / agingPointsPerMinute : Infinity;
}
