import { compareSamples, resolveCompareOptions, type CompareOptions } from './compare-samples';
import { SeededRandom } from './seeded-random';
import type { Verdict } from './verdict';

const { exp } = Math; // see seeded-random.ts: a global lookup per sample is slow in Jest's sandbox

/**
 * Monte Carlo check of the comparison itself: draw a baseline and a
 * candidate from known distributions many times, compare them, and count the
 * verdicts. With a true ratio of 1 (an A/A comparison: same kernel, same
 * cmdline) every regression or improvement is a false positive; with a true
 * ratio of 1.1 or 1.2 the regression rate is the power, i.e. how often a real
 * 10% or 20% slowdown is caught with that many runs.
 */

/**
 * Log-normal timing noise, as hotplug latencies have: positive, skewed
 * right, multiplicative (a 10% jitter on 40 ms and on 4 s alike). `sigma` is
 * the standard deviation of log(value): 0.1 is about 10% run-to-run
 * variation. Optionally a fraction of samples is an outlier `outlierFactor`
 * times slower (an iteration that had to migrate pages, a preempted vCPU).
 */
export interface NoiseModel {
  sigma: number;
  outlierRate?: number;
  outlierFactor?: number;
}

export interface SimulationOptions extends Omit<CompareOptions, 'higherIsBetter' | 'lazyInterval' | 'seed'> {
  /** Samples per side, e.g. [5, 10, 30]. */
  sizes: readonly number[];
  /** True candidate/baseline ratios, e.g. [1, 1.1, 1.2]; 1 is the A/A case. */
  ratios: readonly number[];
  noise: NoiseModel;
  /** Comparisons per (size, ratio). */
  trials: number;
  /** Seed of the data and of the bootstraps (default 1). */
  seed?: number;
  /** Also compute every interval and report how often it contains the true ratio (slower: no bootstrap is skipped). */
  coverage?: boolean;
}

export interface SimulationRow {
  n: number;
  trueRatio: number;
  trials: number;
  /** Fraction of trials with each verdict. */
  rates: Record<Verdict, number>;
  /** Fraction of trials with p < alpha, whatever the interval said: the test's own false-positive rate or power. */
  pBelowAlpha: number;
  /** Fraction of intervals containing the true ratio (only with `coverage`). */
  coverage: number | null;
}

/** One row per (size, ratio), sizes outer, in the order given. Reproducible for a given seed. */
export function simulateVerdictRates(options: SimulationOptions): SimulationRow[] {
  const { sizes, ratios, noise, trials, seed = 1, coverage = false, ...compare } = options;
  const resolved = resolveCompareOptions({ ...compare, seed });
  checkSimulation(options);
  const rows: SimulationRow[] = [];
  for (const n of sizes) {
    for (const trueRatio of ratios) {
      // Each (n, ratio) cell has its own stream, so adding a cell does not change the others.
      const random = new SeededRandom(seed * 1_000_003 + n * 1009 + Math.round(trueRatio * 1e6));
      const counts: Record<Verdict, number> = { regression: 0, improvement: 0, 'no-change': 0, insufficient: 0, 'no-ratio': 0 };
      let significant = 0;
      let covered = 0;
      for (let t = 0; t < trials; t++) {
        const baseline = draw(random, n, noise, 1);
        const candidate = draw(random, n, noise, trueRatio);
        const r = compareSamples(baseline, candidate, {
          ...compare,
          seed: random.nextUint32(),
          lazyInterval: !coverage,
        });
        counts[r.verdict]++;
        if (r.p !== null && r.p < resolved.alpha) significant++;
        if (r.ci && r.ci[0] <= trueRatio && trueRatio <= r.ci[1]) covered++;
      }
      const rates = Object.fromEntries(Object.entries(counts).map(([k, c]) => [k, c / trials])) as Record<Verdict, number>;
      rows.push({ n, trueRatio, trials, rates, pBelowAlpha: significant / trials, coverage: coverage ? covered / trials : null });
    }
  }
  return rows;
}

function draw(random: SeededRandom, n: number, noise: NoiseModel, scale: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let v = scale * exp(noise.sigma * random.normal());
    if (noise.outlierRate && random.uniform() < noise.outlierRate) v *= noise.outlierFactor ?? 1;
    out[i] = v;
  }
  return out;
}

function checkSimulation(o: SimulationOptions): void {
  if (!Number.isInteger(o.trials) || o.trials < 1) throw new RangeError(`trials must be a positive integer, got ${o.trials}`);
  for (const n of o.sizes) if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new RangeError(`sizes must be integers from 1 to 10000, got ${n}`);
  for (const r of o.ratios) if (!(r > 0 && Number.isFinite(r))) throw new RangeError(`ratios must be positive, got ${r}`);
  const { sigma, outlierRate = 0, outlierFactor = 1 } = o.noise;
  if (!(sigma >= 0 && sigma <= 5)) throw new RangeError(`noise sigma must be in [0, 5], got ${sigma}`);
  if (!(outlierRate >= 0 && outlierRate <= 1)) throw new RangeError(`outlier rate must be in [0, 1], got ${outlierRate}`);
  if (!(outlierFactor > 0 && Number.isFinite(outlierFactor))) throw new RangeError(`outlier factor must be positive, got ${outlierFactor}`);
}

/** False-positive rate of an A/A row: any verdict that claims a change. */
export function falsePositiveRate(row: SimulationRow): number {
  return row.rates.regression + row.rates.improvement;
}
