import { compareSamples, decideVerdict, insufficientReason, smallestTwoSidedP } from '@pfnlab/stats';

// Ten hot-add times (ms) of a baseline kernel, and the same spread shifted.
const BASE = [40.1, 41.7, 39.8, 43.2, 40.9, 42.4, 41.1, 39.5, 44.0, 40.3];
const times = (k: number, xs = BASE) => xs.map((x) => Number((x * k).toFixed(3)));
// The same distribution drawn again: A/A.
const BASE_AGAIN = [41.3, 40.0, 42.8, 39.9, 41.5, 40.6, 43.5, 40.2, 41.9, 39.7];

describe('compareSamples: verdicts', () => {
  it('calls a clear 20% slowdown a regression, with the whole CI above 1.05', () => {
    const r = compareSamples(BASE, times(1.2));
    expect(r.verdict).toBe('regression');
    expect(r.ratio).toBeCloseTo(1.2, 10);
    expect(r.ci![0]).toBeGreaterThan(1.05);
    expect(r.ci![0]).toBeLessThanOrEqual(1.2);
    expect(r.ci![1]).toBeGreaterThanOrEqual(1.2);
    expect(r.p).toBeLessThan(0.001);
    expect(r.pMethod).toBe('exact');
    expect(r.reason).toMatch(/^the whole 95% CI \[1\.\d{3}, 1\.\d{3}\] is above 1\.050 and p .* < 0\.05$/);
  });

  it('calls a 20% speed-up an improvement', () => {
    const r = compareSamples(BASE, times(0.8));
    expect(r.verdict).toBe('improvement');
    expect(r.ci![1]).toBeLessThan(0.95);
  });

  it('turns both round for a higher-is-better metric', () => {
    expect(compareSamples(BASE, times(1.2), { higherIsBetter: true }).verdict).toBe('improvement');
    expect(compareSamples(BASE, times(0.8), { higherIsBetter: true }).verdict).toBe('regression');
    expect(compareSamples(BASE, times(0.8), { higherIsBetter: true }).higherIsBetter).toBe(true);
  });

  it('says no change for an A/A pair', () => {
    const r = compareSamples(BASE, BASE_AGAIN);
    expect(r.verdict).toBe('no-change');
    expect(r.ci![0]).toBeLessThan(1);
    expect(r.ci![1]).toBeGreaterThan(1);
    expect(r.p).toBeGreaterThan(0.05);
    expect(r.reason).toMatch(/≥ alpha 0\.05/);
  });

  it('says no change for a real but small shift: significant, but the CI reaches inside ±5%', () => {
    const base = Array.from({ length: 30 }, (_, i) => 40 + (i % 10) * 0.1 + i * 0.001);
    const r = compareSamples(base, times(1.03, base));
    expect(r.p).toBeLessThan(0.05);
    expect(r.verdict).toBe('no-change');
    expect(r.reason).toMatch(/but the 95% CI .* reaches within ±5% of 1/);
    // With no minimum effect, the same data is a regression.
    expect(compareSamples(base, times(1.03, base), { minEffect: 0 }).verdict).toBe('regression');
  });

  it('needs p < alpha as well as the interval', () => {
    // 5 against 5 with one pair out of order: U = 1, p = 2 · 2/252 = 0.016, below 0.05 but not below 0.01.
    const a = [10, 11, 12, 13, 14.5];
    const b = [14, 20, 21, 22, 23];
    const r = compareSamples(a, b, { alpha: 0.01 });
    expect(r.ci![0]).toBeGreaterThan(1.05);
    expect(r.p).toBeCloseTo(4 / 252, 12);
    expect(r.verdict).toBe('no-change');
    expect(compareSamples(a, b).verdict).toBe('regression');
  });

  it('compares identical constant samples as no change, ratio 1, p 1', () => {
    const r = compareSamples([5, 5, 5, 5], [5, 5, 5, 5]);
    expect(r).toMatchObject({ verdict: 'no-change', ratio: 1, ci: [1, 1], p: 1 });
  });

  it('calls constant 5s against constant 6s a regression (every candidate run is 20% slower)', () => {
    const r = compareSamples([5, 5, 5, 5], [6, 6, 6, 6]);
    expect(r).toMatchObject({ verdict: 'regression', ratio: 1.2, ci: [1.2, 1.2] });
    expect(r.p).toBeCloseTo(0.013123806784370716, 6); // scipy, asymptotic with ties
  });

  it('is reproducible: the same samples and seed give the same figures', () => {
    expect(compareSamples(BASE, times(1.1), { seed: 5 })).toEqual(compareSamples(BASE, times(1.1), { seed: 5 }));
  });
});

describe('compareSamples: when there is no verdict', () => {
  it('says insufficient below 3 samples a side, still with the ratio and p', () => {
    const r = compareSamples([10, 11], [20, 21, 22]);
    expect(r.verdict).toBe('insufficient');
    expect(r.reason).toBe('2 sample(s) in the baseline: at least 3 per side are needed');
    expect(r.ratio).toBeCloseTo(21 / 10.5, 12);
    expect(r.ci).toBeNull();
    expect(r.p).not.toBeNull();
    expect(compareSamples([1], [2]).reason).toBe('1 sample(s) per side: at least 3 per side are needed');
  });

  it('says insufficient when no arrangement of so few ranks can reach p < alpha', () => {
    const r = compareSamples([10, 11, 12], [20, 21, 22]); // best possible p = 2/20
    expect(r.verdict).toBe('insufficient');
    expect(r.reason).toBe('with 3 and 3 samples no p-value can fall below alpha 0.05 (smallest possible 0.10): ask for more runs');
    expect(compareSamples([10, 11, 12], [20, 21, 22, 23, 24]).verdict).toBe('regression'); // 2/56 = 0.036
    expect(compareSamples([10, 11, 12], [20, 21, 22], { alpha: 0.2 }).verdict).toBe('regression');
    expect(compareSamples([10, 11, 12, 13], [20, 21, 22, 23], { alpha: 0.01 }).verdict).toBe('insufficient'); // 2/70 ≥ 0.01
  });

  it('says insufficient for a side without samples, naming it', () => {
    expect(compareSamples([1, 2, 3], [])).toMatchObject({ verdict: 'insufficient', reason: 'no samples in the candidate', p: null, ratio: null, medians: [2, null] });
    expect(compareSamples([], [1, 2, 3]).reason).toBe('no samples in the baseline');
  });

  it('gives no ratio for a baseline median of 0, with the medians and p in the reason', () => {
    const r = compareSamples([0, 0, 0, 0, 0], [3, 4, 5, 6, 7]);
    expect(r.verdict).toBe('no-ratio');
    expect(r.ratio).toBeNull();
    expect(r.ci).toBeNull();
    expect(r.p).toBeCloseTo(0.007494957516935239, 6); // scipy, asymptotic (the zeros tie)
    expect(r.reason).toBe('the baseline median is 0, so no ratio (candidate median 5); p 0.0075');
    expect(compareSamples([0, 0, 0, 0], [0, 0, 0, 0]).reason).toBe('both medians are 0: no ratio; p 1.0');
    // Too few samples is said first, and no ratio is made up.
    expect(compareSamples([0, 0], [1, 2, 3])).toMatchObject({ verdict: 'insufficient', ratio: null });
  });

  it('gives no ratio for negative samples (a vmstat delta, say)', () => {
    const r = compareSamples([-5, 3, 4, 8], [1, 2, 3, 4]);
    expect(r.verdict).toBe('no-ratio');
    expect(r.reason).toMatch(/^negative samples: a ratio of medians needs values ≥ 0/);
  });

  it('refuses non-finite samples, naming the side and position', () => {
    expect(() => compareSamples([1, NaN, 3], [1, 2, 3])).toThrow('baseline sample 2 is NaN: samples must be finite numbers');
    expect(() => compareSamples([1, 2, 3], [1, 2, Infinity])).toThrow('candidate sample 3 is Infinity');
  });

  it('refuses bad options, naming them', () => {
    expect(() => compareSamples(BASE, BASE, { minEffect: 1 })).toThrow(/min effect must be in \[0, 1\)/);
    expect(() => compareSamples(BASE, BASE, { minEffect: -0.1 })).toThrow(/min effect/);
    expect(() => compareSamples(BASE, BASE, { alpha: 0 })).toThrow(/alpha must be in \(0, 1\)/);
    expect(() => compareSamples(BASE, BASE, { resamples: 99 })).toThrow(/resamples/);
    expect(() => compareSamples(BASE, BASE, { seed: -1 })).toThrow(/seed/);
    expect(() => compareSamples(BASE, BASE, { seed: 2 ** 32 })).toThrow(/seed/);
  });

  it('skips the bootstrap only when asked and p ≥ alpha', () => {
    const lazy = compareSamples(BASE, BASE_AGAIN, { lazyInterval: true });
    expect(lazy).toMatchObject({ verdict: 'no-change', ci: null });
    expect(compareSamples(BASE, times(1.2), { lazyInterval: true }).ci).not.toBeNull();
  });
});

describe('decideVerdict', () => {
  const rule = { minEffect: 0.05, alpha: 0.05, higherIsBetter: false };
  it.each([
    [[1.06, 1.3], 0.01, false, 'regression'],
    [[1.05, 1.3], 0.01, false, 'no-change'], // the end must be strictly beyond
    [[1.06, 1.3], 0.05, false, 'no-change'], // p must be strictly below
    [[0.7, 0.94], 0.01, false, 'improvement'],
    [[0.7, 0.95], 0.01, false, 'no-change'],
    [[1.06, 1.3], 0.01, true, 'improvement'],
    [[0.7, 0.94], 0.01, true, 'regression'],
    [[0.9, 1.1], 0.001, false, 'no-change'],
  ] as const)('CI %p, p %p, higher is better %p: %s', (ci, p, higherIsBetter, verdict) => {
    expect(decideVerdict(ci, p, { ...rule, higherIsBetter }).verdict).toBe(verdict);
  });
});

describe('smallestTwoSidedP and insufficientReason', () => {
  it('is 2 / C(nA + nB, nA)', () => {
    expect(smallestTwoSidedP(3, 3)).toBeCloseTo(0.1, 15);
    expect(smallestTwoSidedP(4, 4)).toBeCloseTo(2 / 70, 15);
    expect(smallestTwoSidedP(3, 5)).toBeCloseTo(2 / 56, 15);
    expect(smallestTwoSidedP(1, 1)).toBe(1);
  });

  it('lets 4 against 4 and 3 against 5 through at alpha 0.05, not 3 against 4', () => {
    expect(insufficientReason(4, 4, 0.05)).toBeNull();
    expect(insufficientReason(3, 5, 0.05)).toBeNull();
    expect(insufficientReason(3, 4, 0.05)).toMatch(/smallest possible 0\.057/);
  });
});
