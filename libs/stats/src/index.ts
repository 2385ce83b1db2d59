export { median, medianOfSorted, quantileOfSorted } from './median';
export { SeededRandom } from './seeded-random';
export { erfc, normalSf } from './normal-distribution';
export { EXACT_MAX_N, exactTwoSidedP, exactUCdf } from './mann-whitney-exact';
export { mannWhitneyU, type MannWhitneyResult } from './mann-whitney';
export { bootstrapRatioCi, DEFAULT_RESAMPLES, DEFAULT_SEED, type BootstrapOptions } from './bootstrap-ratio';
export { decideVerdict, fmtP, fmtRatio, VERDICTS, type Verdict, type VerdictRule } from './verdict';
export {
  compareSamples,
  DEFAULT_ALPHA,
  DEFAULT_MIN_EFFECT,
  insufficientReason,
  MIN_SAMPLES,
  resolveCompareOptions,
  smallestTwoSidedP,
  type CompareOptions,
  type SampleComparison,
} from './compare-samples';
export { compareMetrics, type CompareMetricsOptions, type MetricComparison, type MetricSamples } from './compare-metrics';
export {
  METRIC_NAME,
  parseSamplesCsv,
  SAMPLES_CSV_LIMITS,
  SamplesCsvError,
  UNIT,
  type CsvProblem,
  type SampleSet,
} from './samples-csv';
export {
  falsePositiveRate,
  simulateVerdictRates,
  type NoiseModel,
  type SimulationOptions,
  type SimulationRow,
} from './verdict-simulation';
export { AB_STATES, decideAbRound, type AbDecision, type AbState } from './ab-rounds';
