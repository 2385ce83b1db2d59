/**
 * Medians and quantiles. The comparison works on medians, not means: a
 * hotplug loop's timings have a long right tail (an iteration that had to
 * migrate pages, a vCPU preempted on a shared host), and one such outlier
 * moves a mean by more than the effect a patch is expected to have.
 */

/** The median of values in any order (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('the median of no values is undefined');
  return medianOfSorted(Float64Array.from(values).sort());
}

/** The median of values already sorted ascending. */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('the median of no values is undefined');
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of values sorted ascending, interpolating
 * linearly between order statistics: R's type 7, numpy's and scipy's default,
 * so figures can be checked there.
 */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('the quantile of no values is undefined');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo];
  const b = sorted[hi];
  // Equal neighbours (both Infinity included) need no interpolation, which would give NaN.
  return a === b ? a : a + (h - lo) * (b - a);
}
