/**
 * The rule that turns an interval and a p-value into a word. Both must
 * agree: the Mann-Whitney p-value says the two samples differ at all (and,
 * being rank-based, keeps the false-positive rate at alpha whatever the noise
 * looks like), the interval says by how much, and the minimum effect says
 * what is too small to matter: a 1% change in hot-add time is real on a quiet
 * machine but nobody should be paged for it.
 */

/**
 * - `regression`, `improvement`: the whole CI lies beyond the minimum effect on
 *   that side and p < alpha.
 * - `no-change`: anything else with enough data; not proof of equality, only
 *   that no change of at least the minimum effect was shown.
 * - `insufficient`: too few samples for any verdict (see compareSamples).
 * - `no-ratio`: a ratio of medians means nothing here (a baseline median of 0,
 *   negative values); the p-value is still given.
 */
export type Verdict = 'regression' | 'improvement' | 'no-change' | 'insufficient' | 'no-ratio';

export const VERDICTS: readonly Verdict[] = ['regression', 'improvement', 'no-change', 'insufficient', 'no-ratio'];

export interface VerdictRule {
  /** Smallest relative change that counts, e.g. 0.05: a ratio beyond 1.05 or below 0.95. */
  minEffect: number;
  /** Significance level of the Mann-Whitney test. */
  alpha: number;
  /** False (the default everywhere) when a larger value is worse: times, call counts, cycles. */
  higherIsBetter: boolean;
}

/**
 * The verdict for a ratio candidate/baseline with its confidence interval and
 * p-value, and the reason in words. The thresholds are 1 + minEffect and
 * 1 - minEffect (a 5% change either way is "at least 5% more" or "at least 5%
 * less" of the baseline, the way people say it).
 */
export function decideVerdict(ci: readonly [number, number], p: number, rule: VerdictRule): { verdict: Verdict; reason: string } {
  const [lo, hi] = ci;
  const up = 1 + rule.minEffect;
  const down = 1 - rule.minEffect;
  const ciText = `95% CI [${fmtRatio(lo)}, ${fmtRatio(hi)}]`;
  const pText = `p ${fmtP(p)}`;
  const above = lo > up;
  const below = hi < down;
  if (p < rule.alpha && (above || below)) {
    const worse = above !== rule.higherIsBetter;
    const side = above ? `above ${fmtRatio(up)}` : `below ${fmtRatio(down)}`;
    return { verdict: worse ? 'regression' : 'improvement', reason: `the whole ${ciText} is ${side} and ${pText} < ${rule.alpha}` };
  }
  if (p >= rule.alpha) return { verdict: 'no-change', reason: `${pText} ≥ alpha ${rule.alpha}` };
  return { verdict: 'no-change', reason: `${pText} < ${rule.alpha} but the ${ciText} reaches within ±${fmtPercent(rule.minEffect)} of 1` };
}

/** Ratios in reasons and tables: three decimals, enough for a 0.1% change. */
export function fmtRatio(r: number): string {
  if (r === Infinity) return 'inf';
  return r.toFixed(3);
}

/** p-values: two significant digits, exponent notation below 0.001. */
export function fmtP(p: number): string {
  if (p === 0) return '0';
  return p < 0.001 ? p.toExponential(1) : p.toPrecision(2);
}

function fmtPercent(x: number): string {
  return `${Number((x * 100).toPrecision(3))}%`;
}
