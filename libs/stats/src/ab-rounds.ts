/*
 * What an A/B job does after a round of runs, as data: round 1 measures;
 * a regression there is only a suspicion until a second, independent round
 * (fresh runs, compared on their own, not pooled with round 1's, which
 * would reuse the data that raised the suspicion) shows the same metric
 * regressing again. Only then is it reported as a regression.
 */

export type AbState =
  /** Round 1's runs are under way. */
  | 'measuring'
  /** Round 1 found a regression; round 2's runs are under way. */
  | 'confirming'
  | 'regression-confirmed'
  | 'regression-not-confirmed'
  /** Round 1 found no regression (no change, an improvement, or too little data to say). */
  | 'no-regression';

export const AB_STATES: readonly AbState[] = ['measuring', 'confirming', 'regression-confirmed', 'regression-not-confirmed', 'no-regression'];

export interface AbDecision {
  state: AbState;
  /** Metrics that regressed in the round that decided (round 1's for `confirming`; the confirmed ones after round 2). */
  metrics: string[];
  /** One line for people. */
  summary: string;
}

/**
 * After round 1: confirm when any metric regressed. After round 2: a
 * regression is confirmed for the metrics that regressed in both rounds.
 * Metrics keep the caller's order (most telling first: the summary names
 * only the first three).
 */
export function decideAbRound(round: 1 | 2, regressedNow: readonly string[], regressedInRound1: readonly string[] = []): AbDecision {
  const now = [...new Set(regressedNow)];
  if (round === 1) {
    if (!now.length) return { state: 'no-regression', metrics: [], summary: 'no regression' };
    return { state: 'confirming', metrics: now, summary: `regression suspected in ${list(now)}: confirming with a second round` };
  }
  const first = new Set(regressedInRound1);
  const both = now.filter((m) => first.has(m));
  if (both.length) return { state: 'regression-confirmed', metrics: both, summary: `regression confirmed in ${list(both)}` };
  const was = [...first];
  return { state: 'regression-not-confirmed', metrics: [], summary: `the regression in ${list(was)} did not show again in the second round` };
}

function list(metrics: readonly string[]): string {
  return metrics.length > 3 ? `${metrics.slice(0, 3).join(', ')} and ${metrics.length - 3} more` : metrics.join(', ');
}
