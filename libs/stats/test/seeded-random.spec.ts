import { SeededRandom } from '@pfnlab/stats';

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed, on every machine (pinned values)', () => {
    const r = new SeededRandom(1);
    // Changing these changes every interval pfnlab has printed for seed 1: do it knowingly.
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([2442144158, 3238099751, 3819917871, 2104621829]);
    const s = new SeededRandom(0);
    expect([s.nextUint32(), s.nextUint32()]).toEqual([3809008728, 1133695204]);
  });

  it('gives different sequences for neighbouring seeds', () => {
    const a = new SeededRandom(41);
    const b = new SeededRandom(42);
    const same = Array.from({ length: 100 }, () => a.nextUint32() === b.nextUint32()).filter(Boolean).length;
    expect(same).toBe(0);
  });

  it('draws integers in [0, n) evenly (chi-square over 10 cells, 100,000 draws)', () => {
    const r = new SeededRandom(7);
    const cells = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) cells[r.int(10)]++;
    const chi2 = cells.reduce((s, c) => s + (c - 10_000) ** 2 / 10_000, 0);
    expect(Math.min(...cells)).toBeGreaterThanOrEqual(0);
    expect(cells.reduce((a, b) => a + b)).toBe(100_000);
    // 9 degrees of freedom: P(chi2 > 27.9) = 0.001 for a fair generator.
    expect(chi2).toBeLessThan(27.9);
  });

  it('draws uniforms in [0, 1) and standard normals with mean 0 and sd 1', () => {
    const r = new SeededRandom(3);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = r.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const z = Array.from({ length: 100_000 }, () => r.normal());
    const mean = z.reduce((a, b) => a + b) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / (z.length - 1));
    expect(Math.abs(mean)).toBeLessThan(0.015); // 4.7 standard errors
    expect(Math.abs(sd - 1)).toBeLessThan(0.01);
    expect(z.filter((x) => Math.abs(x) > 1.96).length / z.length).toBeCloseTo(0.05, 2);
  });

  it('refuses a negative or fractional seed', () => {
    expect(() => new SeededRandom(-1)).toThrow(/non-negative integer/);
    expect(() => new SeededRandom(1.5)).toThrow(RangeError);
  });
});
