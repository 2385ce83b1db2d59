import { bootstrapRatioCi, SeededRandom } from '@pfnlab/stats';

/*
 * For an odd sample size n, the median of a resample is the k-th smallest
 * original value with a known probability: P(median* ≤ x(k)) =
 * P(Binomial(n, k/n) ≥ (n+1)/2). For 1 2 3 4 5 that is 0.058, 0.317, 0.683,
 * 0.942, 1. A constant candidate makes the ratio 1/median*, so the
 * interval's ends can be worked out by hand.
 */
const BASE = [1, 2, 3, 4, 5];
const ONES = [1, 1, 1, 1, 1];

describe('bootstrapRatioCi', () => {
  it('puts the ends where the exact bootstrap distribution of the median puts them', () => {
    // 2.5%: P(1/median* = 0.2) = P(median* = 5) = 0.058 > 0.025; 97.5%: P(1/median* = 1) = 0.058.
    expect(bootstrapRatioCi(BASE, ONES)).toEqual([0.2, 1]);
    // 25%: P(median* ≥ 4) = 0.317 > 0.25, so 1/4; 75%: P(median* ≤ 2) = 0.317, so 1/2.
    expect(bootstrapRatioCi(BASE, ONES, { level: 0.5 })).toEqual([0.25, 0.5]);
  });

  it('gives a zero-width interval for constant samples', () => {
    expect(bootstrapRatioCi([5, 5, 5], [6, 6, 6])).toEqual([1.2, 1.2]);
    expect(bootstrapRatioCi([5, 5, 5], [5, 5, 5])).toEqual([1, 1]);
  });

  it('is reproducible for a seed and moves little between seeds at 10,000 resamples', () => {
    const a = [40.1, 41.7, 39.8, 43.2, 40.9, 42.4, 41.1, 39.5, 44.0, 40.3];
    const b = a.map((x, i) => x * 1.2 + (i % 3) * 0.4);
    const one = bootstrapRatioCi(a, b, { seed: 1 });
    expect(bootstrapRatioCi(a, b, { seed: 1 })).toEqual(one);
    const two = bootstrapRatioCi(a, b, { seed: 2 });
    expect(two).not.toEqual(one);
    expect(Math.abs(two[0] - one[0])).toBeLessThan(0.01);
    expect(Math.abs(two[1] - one[1])).toBeLessThan(0.01);
    expect(one[0]).toBeLessThan(1.2);
    expect(one[1]).toBeGreaterThan(1.2);
  });

  it('continues a shared generator when given one', () => {
    const r = new SeededRandom(9);
    const first = bootstrapRatioCi([1, 2, 3, 4], [2, 3, 4, 5], { random: r, resamples: 100 });
    const second = bootstrapRatioCi([1, 2, 3, 4], [2, 3, 4, 5], { random: r, resamples: 100 });
    expect(first[0]).toBeLessThanOrEqual(first[1]);
    expect(second[0]).toBeLessThanOrEqual(second[1]);
    expect(bootstrapRatioCi([1, 2, 3, 4], [2, 3, 4, 5], { seed: 9, resamples: 100 })).toEqual(first);
  });

  it('ends at Infinity when resampled baselines often have a median of 0', () => {
    // P(median* = 0) = P(Binomial(5, 0.4) ≥ 3) = 0.32: far more than 2.5% of ratios are infinite.
    const [lo, hi] = bootstrapRatioCi([0, 0, 1, 1, 1], [1, 1, 1, 1, 1]);
    expect(lo).toBe(1);
    expect(hi).toBe(Infinity);
  });

  it('counts two zero medians as no change (ratio 1), not NaN', () => {
    expect(bootstrapRatioCi([0, 0, 0], [0, 0, 0])).toEqual([1, 1]);
  });

  it('refuses negative, non-finite or missing values and bad options', () => {
    expect(() => bootstrapRatioCi([1, -2, 3], [1, 2, 3])).toThrow(/finite values ≥ 0/);
    expect(() => bootstrapRatioCi([1, NaN, 3], [1, 2, 3])).toThrow(/finite values ≥ 0/);
    expect(() => bootstrapRatioCi([1, 2, 3], [1, Infinity])).toThrow(/finite values ≥ 0/);
    expect(() => bootstrapRatioCi([], [1])).toThrow(/at least one value/);
    expect(() => bootstrapRatioCi([1], [1], { resamples: 10 })).toThrow(/resamples/);
    expect(() => bootstrapRatioCi([1], [1], { level: 1 })).toThrow(/level/);
  });
});
