/**
 * The exact null distribution of the Mann-Whitney U statistic for samples
 * without ties: every assignment of the n1 + n2 ranks to the two groups is
 * equally likely, and U counts the pairs (a, b) with a from group 1 ranked
 * above b from group 2.
 *
 * Recurrence (Mann & Whitney 1947): the largest rank belongs to group 1 with
 * probability n1/(n1+n2), and then adds n2 to U; otherwise it adds nothing:
 *   P[n1,n2](u) = n1/(n1+n2) · P[n1-1,n2](u-n2) + n2/(n1+n2) · P[n1,n2-1](u).
 * Working in probabilities rather than counts keeps every term positive and
 * below 1, so C(60,30) ≈ 1.2e17 arrangements cost no precision.
 */

/** Above this size per side the normal approximation is used: at 30 against 30 it is already within 0.003 of the exact p (checked against scipy). */
export const EXACT_MAX_N = 30;

const cache = new Map<string, Float64Array>();

/** P(U ≤ u) for each u in 0..n1·n2: the cumulative null distribution, cached per (n1, n2). */
export function exactUCdf(n1: number, n2: number): Float64Array {
  const [small, large] = n1 <= n2 ? [n1, n2] : [n2, n1]; // U's distribution is symmetric in (n1, n2)
  const key = `${small},${large}`;
  let cdf = cache.get(key);
  if (!cdf) {
    const pmf = exactUPmf(small, large);
    cdf = new Float64Array(pmf.length);
    let sum = 0;
    for (let u = 0; u < pmf.length; u++) cdf[u] = sum += pmf[u];
    cache.set(key, cdf);
  }
  return cdf;
}

/**
 * Two-sided exact p-value for an observed U (of either group): twice the
 * smaller tail, capped at 1, as scipy.stats.mannwhitneyu(method='exact').
 */
export function exactTwoSidedP(u: number, n1: number, n2: number): number {
  const cdf = exactUCdf(n1, n2);
  const mn = n1 * n2;
  const uLow = Math.min(u, mn - u); // by symmetry P(U ≥ mn - k) = P(U ≤ k)
  return Math.min(1, 2 * cdf[Math.round(uLow)]);
}

function exactUPmf(n1: number, n2: number): Float64Array {
  // rows[j] holds P[i, j] for the current i, j = 0..n2.
  let rows: Float64Array[] = [];
  for (let j = 0; j <= n2; j++) rows.push(Float64Array.of(1)); // i = 0: U is 0 with certainty
  for (let i = 1; i <= n1; i++) {
    const next: Float64Array[] = [Float64Array.of(1)]; // j = 0: U is 0 with certainty
    for (let j = 1; j <= n2; j++) {
      const p = new Float64Array(i * j + 1);
      const withTop = rows[j]; // P[i-1, j], shifted by j
      const withoutTop = next[j - 1]; // P[i, j-1]
      const wTop = i / (i + j);
      const wOther = j / (i + j);
      for (let u = 0; u < withTop.length; u++) p[u + j] += wTop * withTop[u];
      for (let u = 0; u < withoutTop.length; u++) p[u] += wOther * withoutTop[u];
      next.push(p);
    }
    rows = next;
  }
  return rows[n2];
}
