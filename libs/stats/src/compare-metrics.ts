import { compareSamples, resolveCompareOptions, type CompareOptions, type SampleComparison } from './compare-samples';

/** Samples per metric name. */
export type MetricSamples = ReadonlyMap<string, readonly number[]>;

export interface CompareMetricsOptions extends Omit<CompareOptions, 'higherIsBetter'> {
  /** Metrics where a larger value is better (throughput, free pages...); every other metric: larger is worse. */
  higherIsBetter?: Iterable<string>;
}

export interface MetricComparison extends SampleComparison {
  metric: string;
}

/**
 * Compares every metric found on either side: one row per metric, sorted by
 * name (code-unit order, the same on every locale). A metric present on one
 * side only gets `insufficient` with the side that lacks it named.
 *
 * Every metric's interval uses the same seed, so adding or removing a metric
 * never changes another metric's figures. No correction for multiple
 * comparisons is applied: with 20 metrics some p-values fall under 0.05 by
 * chance, which is why a verdict also needs its whole interval beyond the
 * minimum effect (see README.md for the measured rates).
 */
export function compareMetrics(baseline: MetricSamples, candidate: MetricSamples, options: CompareMetricsOptions = {}): MetricComparison[] {
  const { higherIsBetter, ...rest } = options;
  resolveCompareOptions(rest); // a bad option fails before any work, even with no metrics
  const better = new Set(higherIsBetter ?? []);
  const names = [...new Set([...baseline.keys(), ...candidate.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((metric) => ({
    metric,
    ...compareSamples(baseline.get(metric) ?? [], candidate.get(metric) ?? [], { ...rest, higherIsBetter: better.has(metric) }),
  }));
}
