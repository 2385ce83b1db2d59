/**
 * Fair share between users, by the machines each one holds right now
 * (unexpired leases), not by decayed past usage: that is what the database
 * knows at every decision without a usage history, it reacts at once (a
 * user whose runs finish stops being penalised), and the decision updates
 * it as it goes, so one pass over ten free machines does not give all ten
 * to the user with the biggest backlog.
 *
 * A user's fair share of the lab is (machines in service) / (active users),
 * where active users are those with runs in the queue or machines leased. A
 * user holding `inUse` machines loses FAIR_SHARE_POINTS * min(1, inUse /
 * fair share) points: nothing while idle, the full amount at or above the
 * fair share.
 */
export const FAIR_SHARE_POINTS = 20;

/**
 * 20 points: less than one named priority step (25), so fair share only
 * reorders runs of similar effective priority. A heavy user's high run (75)
 * still goes before an idle user's fresh normal run (50); between equal
 * priorities the idle user goes first even against runs up to 20 minutes
 * older, and once the heavy user's backlog has aged to the top of the scale
 * (100 - 20 = 80 for it), another user's run waits at most until its own
 * effective priority reaches 80 (30 minutes for a normal run).
 */
export function fairSharePenalty(inUse: number, activeUsers: number, machinesInService: number, fairSharePoints: number = FAIR_SHARE_POINTS): number {
  if (inUse <= 0 || machinesInService <= 0 || fairSharePoints === 0) return 0;
  const share = (inUse * Math.max(1, activeUsers)) / machinesInService;
  return share >= 1 ? fairSharePoints : fairSharePoints * share;
}
