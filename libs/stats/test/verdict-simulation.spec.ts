import { falsePositiveRate, simulateVerdictRates, type SimulationRow } from '@pfnlab/stats';

/*
 * The A/A check: the same distribution on both sides, compared many
 * times with seeded randomness; any regression or improvement is a false
 * positive. These bounds are statistical properties of the method (seeded,
 * so the run is deterministic), not timings. README.md has the full tables.
 */

const ALPHA = 0.05;
const HOTPLUG_NOISE = { sigma: 0.1 }; // about 10% run-to-run variation
const WITH_OUTLIERS = { sigma: 0.1, outlierRate: 0.1, outlierFactor: 3 }; // one run in ten three times slower

const row = (rows: SimulationRow[], n: number, ratio = 1) => rows.find((r) => r.n === n && r.trueRatio === ratio)!;

describe('A/A: false positives of the verdict', () => {
  // The bootstrap only runs for the few trials with p < alpha: the main check can afford the CLI's
  // 10,000 resamples; the variants use 2,000 (an interval's ends move by under 1% between the two).
  const TRIALS = 2000;
  let aa: SimulationRow[];
  let aaOutliers: SimulationRow[];
  let aaNoMinEffect: SimulationRow[];
  beforeAll(() => {
    aa = simulateVerdictRates({ sizes: [5, 10, 30], ratios: [1], noise: HOTPLUG_NOISE, trials: TRIALS, seed: 1 });
    aaOutliers = simulateVerdictRates({ sizes: [5, 10, 30], ratios: [1], noise: WITH_OUTLIERS, trials: TRIALS, resamples: 2000, seed: 2 });
    aaNoMinEffect = simulateVerdictRates({ sizes: [5, 10, 30], ratios: [1], noise: HOTPLUG_NOISE, trials: TRIALS, resamples: 2000, seed: 3, minEffect: 0 });
  });

  it.each([5, 10, 30])('stays at or below alpha with %i runs a side (log-normal noise, with and without outliers)', (n) => {
    expect(falsePositiveRate(row(aa, n))).toBeLessThanOrEqual(ALPHA);
    expect(falsePositiveRate(row(aaOutliers, n))).toBeLessThanOrEqual(ALPHA);
    expect(falsePositiveRate(row(aaNoMinEffect, n))).toBeLessThanOrEqual(ALPHA);
  });

  it.each([5, 10, 30])('is far below alpha with the default 5%% minimum effect (%i runs a side)', (n) => {
    expect(falsePositiveRate(row(aa, n))).toBeLessThanOrEqual(0.01);
  });

  it.each([5, 10, 30])('has a Mann-Whitney test of the stated size: p < alpha in about alpha of A/A trials (%i runs a side)', (n) => {
    const se = Math.sqrt((ALPHA * (1 - ALPHA)) / TRIALS);
    expect(row(aa, n).pBelowAlpha).toBeLessThanOrEqual(ALPHA + 3 * se);
    // The exact test at n = 5 cannot use all of alpha: its largest p below 0.05 is 2·4/252 = 0.032.
    expect(row(aa, n).pBelowAlpha).toBeGreaterThan(n === 5 ? 0.015 : ALPHA - 3 * se);
  });

  it('never says insufficient or no-ratio for 5+ positive samples a side', () => {
    for (const r of [...aa, ...aaOutliers]) expect(r.rates.insufficient + r.rates['no-ratio']).toBe(0);
  });
});

describe('power: how often a real slowdown is called a regression', () => {
  // Fewer resamples here: every trial with p < alpha bootstraps, and that is most of them.
  let power: SimulationRow[];
  beforeAll(() => {
    power = simulateVerdictRates({ sizes: [5, 10, 30], ratios: [1.1, 1.2], noise: HOTPLUG_NOISE, trials: 300, resamples: 2000, seed: 4 });
  });

  it('catches a 20% slowdown almost always with 30 runs a side, and more often the more runs', () => {
    expect(row(power, 30, 1.2).rates.regression).toBeGreaterThanOrEqual(0.9);
    expect(row(power, 10, 1.2).rates.regression).toBeGreaterThan(row(power, 5, 1.2).rates.regression);
    expect(row(power, 30, 1.2).rates.regression).toBeGreaterThan(row(power, 10, 1.2).rates.regression);
  });

  it('catches a 10% slowdown less often than a 20% one, but more often than chance', () => {
    for (const n of [5, 10, 30]) {
      expect(row(power, n, 1.1).rates.regression).toBeLessThan(row(power, n, 1.2).rates.regression);
      expect(row(power, n, 1.1).rates.regression).toBeGreaterThan(0.02);
    }
  });

  it('never calls a slowdown an improvement', () => {
    for (const r of power) expect(r.rates.improvement).toBe(0);
  });
});

describe('coverage of the 95% interval', () => {
  it('contains the true ratio about 95% of the time with 30 runs a side', () => {
    const [r] = simulateVerdictRates({ sizes: [30], ratios: [1.2], noise: HOTPLUG_NOISE, trials: 400, resamples: 2000, seed: 5, coverage: true });
    expect(r.coverage).toBeGreaterThanOrEqual(0.9);
    expect(r.coverage).toBeLessThanOrEqual(0.99);
  });
});

describe('simulateVerdictRates', () => {
  it('is reproducible for a seed', () => {
    const options = { sizes: [5], ratios: [1, 1.2], noise: HOTPLUG_NOISE, trials: 50, resamples: 200, seed: 9 };
    expect(simulateVerdictRates(options)).toEqual(simulateVerdictRates(options));
    expect(simulateVerdictRates(options)[0]).toMatchObject({ n: 5, trueRatio: 1, trials: 50, coverage: null });
  });

  it('refuses bad options', () => {
    const ok = { sizes: [5], ratios: [1], noise: HOTPLUG_NOISE, trials: 10 };
    expect(() => simulateVerdictRates({ ...ok, trials: 0 })).toThrow(/trials/);
    expect(() => simulateVerdictRates({ ...ok, sizes: [0] })).toThrow(/sizes/);
    expect(() => simulateVerdictRates({ ...ok, ratios: [0] })).toThrow(/ratios/);
    expect(() => simulateVerdictRates({ ...ok, noise: { sigma: -1 } })).toThrow(/sigma/);
    expect(() => simulateVerdictRates({ ...ok, noise: { sigma: 0.1, outlierRate: 2 } })).toThrow(/outlier rate/);
    expect(() => simulateVerdictRates({ ...ok, alpha: 1 })).toThrow(/alpha/);
  });
});
