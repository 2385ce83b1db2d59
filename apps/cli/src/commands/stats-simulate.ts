import { DEFAULT_ALPHA, DEFAULT_MIN_EFFECT, falsePositiveRate, simulateVerdictRates, type SimulationRow } from '@pfnlab/stats';

export interface StatsSimulateOptions {
  sizes: number[];
  ratios: number[];
  sigma: number;
  outlierRate?: number;
  outlierFactor?: number;
  trials: number;
  minEffect?: number;
  alpha?: number;
  resamples?: number;
  seed?: number;
  coverage?: boolean;
  json?: boolean;
}

/**
 * `pfnlab stats simulate`: how often `stats compare` says regression,
 * improvement or no change when the truth is known, for the noise of your
 * machine and the number of runs you plan. A true ratio of 1 is the A/A case
 * (every verdict other than no change is a false positive); 1.1 is a real 10%
 * slowdown (the regression rate is the power). The figures of
 * libs/stats/README.md come from this command.
 */
export function runStatsSimulate(options: StatsSimulateOptions, write: (s: string) => void = (s) => process.stdout.write(s)): void {
  const rows = simulateVerdictRates({
    sizes: options.sizes,
    ratios: options.ratios,
    noise: { sigma: options.sigma, outlierRate: options.outlierRate, outlierFactor: options.outlierFactor },
    trials: options.trials,
    minEffect: options.minEffect ?? DEFAULT_MIN_EFFECT,
    alpha: options.alpha ?? DEFAULT_ALPHA,
    resamples: options.resamples,
    seed: options.seed,
    coverage: options.coverage,
  });
  if (options.json) {
    write(rows.map((r) => JSON.stringify(r) + '\n').join(''));
    return;
  }
  write(formatSimulation(rows, options));
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function formatSimulation(rows: SimulationRow[], o: StatsSimulateOptions): string {
  const header = ['n', 'true ratio', 'regression', 'improvement', 'no change', 'false pos.', 'p < alpha', 'CI coverage'];
  const cells = rows.map((r) => [
    String(r.n),
    r.trueRatio.toFixed(3),
    pct(r.rates.regression),
    pct(r.rates.improvement),
    pct(r.rates['no-change']),
    r.trueRatio === 1 ? pct(falsePositiveRate(r)) : '-',
    pct(r.pBelowAlpha),
    r.coverage === null ? '-' : pct(r.coverage),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => v.padStart(widths[i])).join('  ');
  const noise = `log-normal sigma ${o.sigma}${o.outlierRate ? `, ${pct(o.outlierRate)} outliers ×${o.outlierFactor ?? 1}` : ''}`;
  const settings = `min effect ${o.minEffect ?? DEFAULT_MIN_EFFECT}, alpha ${o.alpha ?? DEFAULT_ALPHA}, ${o.trials} trials per row`;
  return [line(header), ...cells.map(line), '', `${noise}; ${settings}; n samples per side`].join('\n') + '\n';
}
