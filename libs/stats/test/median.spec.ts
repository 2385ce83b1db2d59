import { median, medianOfSorted, quantileOfSorted } from '@pfnlab/stats';

describe('median', () => {
  it('is the middle value of an odd count, in any order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([41.2])).toBe(41.2);
  });

  it('is the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 10, 12, 1000])).toBe(11); // one outlier does not move it
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses no values', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => medianOfSorted([])).toThrow(/no values/);
  });
});

describe('quantileOfSorted (type 7, numpy and scipy default)', () => {
  it.each([
    // numpy.quantile([1, 2, 3, 4], q)
    [0, 1],
    [0.25, 1.75],
    [0.5, 2.5],
    [0.975, 3.925],
    [1, 4],
  ])('q = %p of 1 2 3 4 is %p', (q, expected) => {
    expect(quantileOfSorted([1, 2, 3, 4], q)).toBeCloseTo(expected, 12);
  });

  it('stays at Infinity between two infinite neighbours instead of giving NaN', () => {
    expect(quantileOfSorted([1, Infinity, Infinity], 0.9)).toBe(Infinity);
  });

  it('refuses q outside [0, 1] and no values', () => {
    expect(() => quantileOfSorted([1, 2], 1.5)).toThrow(/\[0, 1\]/);
    expect(() => quantileOfSorted([], 0.5)).toThrow(RangeError);
  });
});
