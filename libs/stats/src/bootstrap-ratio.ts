import { quantileOfSorted } from './median';
import { SeededRandom } from './seeded-random';

/** Used when no seed is given, so that the same files always give the same interval. */
export const DEFAULT_SEED = 1;
export const DEFAULT_RESAMPLES = 10_000;

export interface BootstrapOptions {
  /** Number of bootstrap resamples (default 10,000: the interval's ends then move by well under 1% between seeds). */
  resamples?: number;
  /** Seed of the resampling (default DEFAULT_SEED). Ignored when `random` is given. */
  seed?: number;
  /** A generator to draw from instead of a fresh one (simulations chain many intervals on one). */
  random?: SeededRandom;
  /** Confidence level (default 0.95). */
  level?: number;
}

/**
 * Percentile bootstrap confidence interval of median(candidate) /
 * median(baseline).
 *
 * Each resample redraws both sides independently with replacement, each at
 * its own size, and takes the ratio of the two medians; the interval is the
 * (1-level)/2 and (1+level)/2 quantiles of those ratios.
 *
 * Why the percentile method and not BCa: BCa's acceleration comes from a
 * jackknife, and the jackknife of a median is known to be inconsistent
 * (leaving one value out of 5 moves the median in jumps), so on the small
 * samples of a lab (5-30 boots) its correction is noise. The percentile
 * interval is transformation-respecting (log ratio or ratio, same interval)
 * and, with the Mann-Whitney gate in front of every verdict, a narrow interval
 * at n = 5 cannot make a false regression on its own: see README.md for the
 * measured coverage and false-positive rates.
 *
 * Values must be ≥ 0 (a ratio of medians of signed values means nothing). A
 * resample whose baseline median is 0 gives +Infinity (or 1 when the
 * candidate's is 0 too: two zeros are no change), so an interval may end at
 * Infinity when half the baseline's values are 0.
 */
export function bootstrapRatioCi(
  baseline: readonly number[],
  candidate: readonly number[],
  options: BootstrapOptions = {},
): [number, number] {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 100) throw new RangeError(`resamples must be an integer ≥ 100, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  if (baseline.length === 0 || candidate.length === 0) throw new RangeError('the bootstrap needs at least one value on each side');
  for (const v of [...baseline, ...candidate]) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`the ratio bootstrap needs finite values ≥ 0, got ${v}`);
  }
  const random = options.random ?? new SeededRandom(options.seed ?? DEFAULT_SEED);
  const a = new ResampledMedian(baseline);
  const b = new ResampledMedian(candidate);
  const ratios = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const ma = a.draw(random);
    const mb = b.draw(random);
    ratios[r] = ma > 0 ? mb / ma : mb > 0 ? Infinity : 1;
  }
  ratios.sort();
  return [quantileOfSorted(ratios, (1 - level) / 2), quantileOfSorted(ratios, (1 + level) / 2)];
}

/**
 * The median of a resample with replacement, without sorting it: values are
 * sorted once, a resample is n draws of an index counted per index, and the
 * middle is found by walking the counts. O(n) per resample instead of
 * O(n log n), which is what keeps 10,000 resamples (and the A/A simulations)
 * fast.
 */
class ResampledMedian {
  private readonly sorted: Float64Array;
  private readonly counts: Uint32Array;

  constructor(values: readonly number[]) {
    this.sorted = Float64Array.from(values).sort();
    this.counts = new Uint32Array(values.length);
  }

  draw(random: SeededRandom): number {
    const n = this.sorted.length;
    const counts = this.counts;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[random.int(n)]++;
    // 0-based positions of the middle order statistics in the resample.
    const lowPos = (n - 1) >> 1;
    const highPos = n >> 1;
    // No global (Number.isNaN, Math) in this loop: see seeded-random.ts on Jest's sandbox.
    let seen = 0;
    let low = 0;
    let lowFound = false;
    for (let k = 0; k < n; k++) {
      seen += counts[k];
      if (!lowFound && seen > lowPos) {
        low = this.sorted[k];
        lowFound = true;
      }
      if (seen > highPos) return (low + this.sorted[k]) / 2;
    }
    throw new Error('unreachable: the counts add up to n');
  }
}
