import { compareMetrics, compareSamples } from '@pfnlab/stats';

const BASE = [40.1, 41.7, 39.8, 43.2, 40.9, 42.4, 41.1, 39.5, 44.0, 40.3];
const slower = BASE.map((x) => x * 1.2);

describe('compareMetrics', () => {
  const baseline = new Map([
    ['online_ms', BASE],
    ['throughput', BASE],
    ['Zeta', BASE],
    ['only_in_baseline', BASE],
  ]);
  const candidate = new Map([
    ['throughput', slower],
    ['online_ms', slower],
    ['Zeta', BASE],
    ['alpha_only_in_candidate', BASE],
  ]);

  it('gives one row per metric of either side, sorted by name in code-unit order', () => {
    const rows = compareMetrics(baseline, candidate);
    expect(rows.map((r) => r.metric)).toEqual(['Zeta', 'alpha_only_in_candidate', 'online_ms', 'only_in_baseline', 'throughput']);
  });

  it('applies higher-is-better to the named metrics only', () => {
    const rows = compareMetrics(baseline, candidate, { higherIsBetter: ['throughput'] });
    const verdict = Object.fromEntries(rows.map((r) => [r.metric, r.verdict]));
    expect(verdict).toEqual({
      Zeta: 'no-change',
      alpha_only_in_candidate: 'insufficient',
      online_ms: 'regression',
      only_in_baseline: 'insufficient',
      throughput: 'improvement',
    });
    expect(rows.find((r) => r.metric === 'only_in_baseline')!.reason).toBe('no samples in the candidate');
  });

  it('gives each metric the figures compareSamples gives it alone (same seed for all)', () => {
    const rows = compareMetrics(baseline, candidate, { seed: 11 });
    expect(rows.find((r) => r.metric === 'online_ms')).toEqual({ metric: 'online_ms', ...compareSamples(BASE, slower, { seed: 11 }) });
  });

  it('checks options even without metrics', () => {
    expect(compareMetrics(new Map(), new Map())).toEqual([]);
    expect(() => compareMetrics(new Map(), new Map(), { alpha: 2 })).toThrow(/alpha/);
  });
});
