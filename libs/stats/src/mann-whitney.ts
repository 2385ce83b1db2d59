import { EXACT_MAX_N, exactTwoSidedP } from './mann-whitney-exact';
import { normalSf } from './normal-distribution';

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum), two-sided: do two samples
 * come from distributions where one tends to give larger values? It uses
 * only ranks, so it makes no assumption about the shape of timing noise, and
 * its false-positive rate is alpha whatever that shape (for continuous data).
 */
export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, ties counting ½ (scipy's `statistic`). */
  u1: number;
  /** Two-sided p-value. */
  p: number;
  /** 'exact' null distribution (no ties, both sides ≤ EXACT_MAX_N), otherwise 'normal' approximation. */
  method: 'exact' | 'normal';
}

/**
 * Two-sided Mann-Whitney U test of x against y.
 *
 * Without ties and with at most EXACT_MAX_N values per side, the p-value is
 * exact. Otherwise it is the normal approximation with the tie correction of
 * the variance and a continuity correction of ½, which is what
 * scipy.stats.mannwhitneyu(x, y, method='asymptotic') computes. When every
 * value is equal the ranks carry no information and p is 1.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('Mann-Whitney U needs at least one value on each side');
  const { rankSumX, tieTerm } = rankSum(x, y);
  const u1 = rankSumX - (n1 * (n1 + 1)) / 2;
  if (tieTerm === 0 && n1 <= EXACT_MAX_N && n2 <= EXACT_MAX_N) {
    return { u1, p: exactTwoSidedP(u1, n1, n2), method: 'exact' };
  }
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u1, p: 1, method: 'normal' };
  const uMax = Math.max(u1, n1 * n2 - u1);
  const z = (uMax - mean - 0.5) / Math.sqrt(variance);
  return { u1, p: Math.min(1, 2 * normalSf(z)), method: 'normal' };
}

/**
 * The sum of x's ranks in the pooled sample (tied values share their
 * average rank) and Σ(t³ - t) over groups of t tied values, which shrinks
 * U's variance.
 */
function rankSum(x: readonly number[], y: readonly number[]): { rankSumX: number; tieTerm: number } {
  const n1 = x.length;
  const pooled = new Float64Array(n1 + y.length);
  pooled.set(x);
  pooled.set(y, n1);
  // Sort indices by value so that each rank can be credited to its group.
  const order = Uint32Array.from(pooled.keys()).sort((i, j) => pooled[i] - pooled[j]);
  let rankSumX = 0;
  let tieTerm = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && pooled[order[end]] === pooled[order[start]]) end++;
    const t = end - start;
    const averageRank = (start + 1 + end) / 2; // ranks start+1 .. end
    for (let k = start; k < end; k++) if (order[k] < n1) rankSumX += averageRank;
    if (t > 1) tieTerm += t * t * t - t;
    start = end;
  }
  return { rankSumX, tieTerm };
}
