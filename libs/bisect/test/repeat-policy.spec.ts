import { log2ceil, reproductionRate, reproductionRateLowerBound, requiredPasses, resolveOptions, stepBound } from '@pfnlab/bisect';

describe('repeat policy', () => {
  it('asks one pass of a deterministic failure, more of a flaky one, up to the cap', () => {
    expect(requiredPasses(null, 0.05, 10)).toBe(1);
    expect(requiredPasses(1, 0.05, 10)).toBe(1);
    // (1/3)^3 = 0.037 ≤ 0.05 < (1/3)^2 = 0.11
    expect(requiredPasses(2 / 3, 0.05, 10)).toBe(3);
    // (1/2)^5 = 0.031 ≤ 0.05 < (1/2)^4 = 0.0625; exactly 0.0625 allowed needs 4, not 5
    expect(requiredPasses(0.5, 0.05, 10)).toBe(5);
    expect(requiredPasses(0.5, 0.0625, 10)).toBe(4);
    // (2/3)^8 = 0.039
    expect(requiredPasses(1 / 3, 0.05, 10)).toBe(8);
    expect(requiredPasses(0.1, 0.05, 10)).toBe(10);
    expect(requiredPasses(0, 0.05, 7)).toBe(7);
  });

  it('pools the rate over bad commits: failing runs over runs that could show it', () => {
    expect(reproductionRate([])).toBeNull();
    expect(reproductionRate([{ bad: 3, pass: 0 }])).toBe(1);
    expect(reproductionRate([{ bad: 2, pass: 1 }, { bad: 1, pass: 1 }])).toBe(3 / 5);
  });

  it('bounds the rate from below as Clopper-Pearson does (scipy.stats.beta.ppf(0.05, k, n - k + 1))', () => {
    expect(reproductionRateLowerBound(0, 5)).toBe(0);
    expect(reproductionRateLowerBound(3, 3)).toBeCloseTo(0.368403, 6);
    expect(reproductionRateLowerBound(1, 3)).toBeCloseTo(0.016952, 6);
    expect(reproductionRateLowerBound(2, 3)).toBeCloseTo(0.13535, 5);
    expect(reproductionRateLowerBound(7, 16)).toBeCloseTo(0.226692, 6);
    // What the culprit's parent is asked: 3 failures in 3 runs, 7 passes; 5 in 5, 4.
    expect(requiredPasses(reproductionRateLowerBound(3, 3), 0.05, 10)).toBe(7);
    expect(requiredPasses(reproductionRateLowerBound(5, 5), 0.05, 10)).toBe(4);
  });

  it('states the step bound ceil(log2 n) + 1 in integers', () => {
    expect([1, 2, 3, 4, 5, 15, 16, 17, 1024, 1025].map(log2ceil)).toEqual([0, 1, 2, 2, 3, 4, 4, 5, 10, 11]);
    expect(stepBound(16)).toBe(5);
    expect(stepBound(2)).toBe(2);
  });

  it('fills defaults by criterion, and refuses bad options naming them', () => {
    expect(resolveOptions('crash', 16)).toEqual({ maxRuns: 10, verifyRuns: 3, missRisk: 0.05, metricRuns: 5, baselineRuns: 10, alpha: 0.05, maxSteps: 15 });
    expect(resolveOptions('metric', 1000)).toEqual({ maxRuns: 20, verifyRuns: 3, missRisk: 0.05, metricRuns: 5, baselineRuns: 10, alpha: 0.05, maxSteps: 21 });
    expect(resolveOptions('boot', 2).maxSteps).toBe(2);
    expect(resolveOptions('boot', 16, { maxRuns: 2 })).toMatchObject({ maxRuns: 2, verifyRuns: 2, metricRuns: 2, baselineRuns: 2 });
    expect(() => resolveOptions('boot', 16, { maxRuns: 0 })).toThrow('maxRuns must be an integer from 1 to 100, got 0');
    expect(() => resolveOptions('boot', 16, { verifyRuns: 11 })).toThrow('verifyRuns must be an integer from 1 to 10, got 11');
    expect(() => resolveOptions('metric', 16, { metricRuns: 2 })).toThrow('metricRuns must be an integer from 3 to 20, got 2');
    expect(() => resolveOptions('boot', 16, { maxSteps: 17 })).toThrow('maxSteps must be an integer from 1 to 16, got 17');
    expect(() => resolveOptions('boot', 16, { missRisk: 0 })).toThrow('missRisk must be in (0, 0.5], got 0');
    expect(() => resolveOptions('boot', 16, { alpha: 1 })).toThrow('alpha must be in (0, 1), got 1');
    expect(() => resolveOptions('boot', 16, { maxRuns: 2.5 })).toThrow('maxRuns must be an integer');
    expect(() => resolveOptions('boot', 16, { maxRuns: '3' as unknown as number })).toThrow('maxRuns must be an integer from 1 to 100, got 3');
  });
});
