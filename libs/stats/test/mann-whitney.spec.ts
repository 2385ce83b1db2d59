import { exactTwoSidedP, exactUCdf, mannWhitneyU } from '@pfnlab/stats';

// Reference p-values from scipy 1.17: scipy.stats.mannwhitneyu(x, y, method=..., use_continuity=True).
const LOGNORMAL_25 = [1.0002, 1.0616, 0.9466, 0.8368, 0.9131, 0.8201, 1.0121, 1.3074, 0.9062, 0.8833, 1.1029, 1.074, 1.0213, 0.8302, 0.9942, 1.1492, 0.7643, 0.9125, 0.6837, 0.7727, 0.6919, 0.9541, 0.7761, 1.0558, 1.0318];
const LOGNORMAL_28 = [1.0646, 0.6681, 0.9923, 1.0945, 1.1305, 0.8138, 1.0045, 0.9087, 0.9401, 1.3664, 0.9403, 1.098, 1.319, 0.9834, 1.0808, 1.1299, 1.1194, 0.865, 1.1221, 1.4503, 0.811, 1.3124, 1.1319, 0.9721, 1.6489, 1.2872, 0.8695, 1.1218];
// 40 and 45 values rounded to 3 decimals: 81 distinct values, so ties.
const TIED_40 = [1.122, 0.963, 1.146, 0.987, 1.143, 1.333, 0.874, 1.041, 0.912, 1.026, 0.789, 0.891, 0.962, 1.197, 1.257, 0.767, 0.853, 1.138, 0.671, 0.912, 0.981, 1.286, 1.148, 0.937, 0.929, 0.951, 1.356, 0.918, 0.941, 1.073, 0.976, 0.961, 0.8, 0.998, 0.915, 1.263, 1.14, 0.995, 1.143, 0.934];
const TIED_45 = [1.297, 1.05, 1.181, 0.812, 1.127, 0.75, 0.7, 0.989, 0.878, 1.086, 1.647, 0.89, 0.928, 1.095, 1.16, 1.015, 1.009, 1.21, 1.166, 0.855, 1.035, 1.059, 0.851, 1.107, 0.886, 1.277, 1.093, 1.07, 0.934, 1.027, 0.705, 0.838, 1.13, 0.687, 1.245, 0.741, 1.223, 0.888, 1.229, 1.079, 0.773, 1.35, 1.403, 1.038, 0.995];

/** Relative closeness, for p-values that span many orders of magnitude. */
function expectRelClose(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * expected);
}

describe('exact null distribution of U', () => {
  it('is the textbook one for 3 against 3: counts 1 1 2 3 3 3 3 2 1 1 out of C(6,3) = 20', () => {
    const cdf = exactUCdf(3, 3);
    const pmf = Array.from(cdf, (c, u) => Math.round((c - (u ? cdf[u - 1] : 0)) * 20));
    expect(pmf).toEqual([1, 1, 2, 3, 3, 3, 3, 2, 1, 1]);
  });

  it('matches brute-force enumeration of every rank assignment for 4 against 5', () => {
    const counts = new Array(21).fill(0);
    // Each 9-bit mask with four bits set picks the ranks (0..8) of group 1.
    for (let mask = 0; mask < 1 << 9; mask++) {
      const ranks = [...Array(9).keys()].filter((r) => mask & (1 << r));
      if (ranks.length !== 4) continue;
      // U = pairs (group 1 rank > group 2 rank) = Σ rank - 4·3/2 with ranks from 0.
      counts[ranks.reduce((a, b) => a + b, 0) - 6]++;
    }
    const cdf = exactUCdf(4, 5);
    let sum = 0;
    counts.forEach((c, u) => {
      sum += c;
      expect(cdf[u]).toBeCloseTo(sum / 126, 14);
    });
    expect(cdf[20]).toBeCloseTo(1, 14);
  });

  it('is symmetric in (n1, n2) and sums to 1 at 30 against 30', () => {
    expect(Array.from(exactUCdf(7, 3))).toEqual(Array.from(exactUCdf(3, 7)));
    const cdf = exactUCdf(30, 30);
    expect(cdf[900]).toBeCloseTo(1, 12);
    expect(cdf[449]).toBeCloseTo(1 - cdf[450], 12); // P(U ≤ 449) = P(U ≥ 451) = 1 - P(U ≤ 450)
  });

  it('gives 2/C(n1+n2, n1) for complete separation', () => {
    expect(exactTwoSidedP(0, 3, 3)).toBeCloseTo(0.1, 15);
    expect(exactTwoSidedP(25, 5, 5)).toBeCloseTo(2 / 252, 15);
  });
});

describe('mannWhitneyU', () => {
  it.each([
    ['3 against 3, separated', [1, 2, 3], [4, 5, 6], 0, 0.1],
    ['5 against 5, separated', [1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0, 0.007936507936507936],
    ['5 against 6, mixed', [1.1, 2.3, 3.7, 4.2, 5.9], [2.0, 4.5, 6.1, 7.3, 8.8, 9.4], 5, 0.08225108225108226],
    ['5 against 4, U above the mean', [19, 22, 16, 29, 24], [20, 11, 17, 12], 17, 0.1111111111111111],
    ['25 against 28 log-normal', LOGNORMAL_25, LOGNORMAL_28, 208, 0.010858175191234781],
  ])('exact: %s (scipy method="exact")', (_name, x, y, u1, p) => {
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('exact');
    expect(r.u1).toBe(u1);
    expect(r.p).toBeCloseTo(p, 12);
  });

  it.each([
    ['7 against 8 with tied groups', [3, 3, 4, 5, 5, 5, 7], [5, 6, 6, 7, 8, 8, 9, 9], 5, 0.00830384990641785],
    ['constant 5s against constant 6s', [5, 5, 5], [6, 6, 6], 0, 0.04685417760387376],
    ['constant 5s against constant 6s, 4 each', [5, 5, 5, 5], [6, 6, 6, 6], 0, 0.013123806784370716],
    ['40 against 45 with ties', TIED_40, TIED_45, 856, 0.7017170731399887],
  ])('normal approximation with tie and continuity corrections: %s (scipy method="asymptotic")', (_name, x, y, u1, p) => {
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('normal');
    expect(r.u1).toBe(u1);
    expectRelClose(r.p, p, 1e-6);
  });

  it('uses the normal approximation above 30 per side, without ties too', () => {
    const x = Array.from({ length: 31 }, (_, i) => i);
    const y = Array.from({ length: 31 }, (_, i) => i + 10.5);
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('normal');
    // scipy.stats.mannwhitneyu(range(31), [i + 10.5 for i in range(31)], method='asymptotic')
    expect(r.u1).toBe(210);
    expectRelClose(r.p, 0.00014398837230272557, 1e-6);
  });

  it('gives the same p either way round, and U1 + U2 = n1·n2', () => {
    const a = mannWhitneyU(LOGNORMAL_25, LOGNORMAL_28);
    const b = mannWhitneyU(LOGNORMAL_28, LOGNORMAL_25);
    expect(b.p).toBeCloseTo(a.p, 14);
    expect(a.u1 + b.u1).toBe(25 * 28);
  });

  it('gives p = 1 when every value is the same (the ranks say nothing)', () => {
    expect(mannWhitneyU([7, 7, 7], [7, 7, 7, 7])).toEqual({ u1: 6, p: 1, method: 'normal' });
  });

  it('refuses an empty side', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/at least one value on each side/);
  });
});
