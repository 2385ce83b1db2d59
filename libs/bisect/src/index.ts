export {
  CRITERION_SYNTAX,
  CriterionError,
  formatCriterion,
  MAX_CRASH_TITLE_LENGTH,
  METRIC_PERCENT_MAX,
  METRIC_PERCENT_MIN,
  metricThreshold,
  normalizeCrashTitle,
  parseCriterion,
  type Criterion,
  type CriterionKind,
} from './criterion';
export {
  BisectInputError,
  checkStepOutcome,
  OUTCOME_LIMITS,
  type BuildOutcome,
  type BuildStatus,
  type RunOutcome,
  type StepOutcome,
} from './outcome';
export { classifyRun, type RunClass, type RunClassKind } from './run-class';
export { type Classification, type ClassifyContext, type RunCounts, type StepVerdict } from './classification';
export { classifyStep } from './classify-step';
export { classifyBaseline, classifyMetricStep } from './classify-metric';
export {
  DEFAULT_BASELINE_RUNS,
  DEFAULT_EXTRA_STEPS,
  DEFAULT_MAX_RUNS,
  DEFAULT_METRIC_RUNS,
  DEFAULT_MISS_RISK,
  DEFAULT_VERIFY_RUNS,
  log2ceil,
  reproductionRate,
  reproductionRateLowerBound,
  requiredPasses,
  resolveOptions,
  stepBound,
  type BisectOptions,
  type ResolvedBisectOptions,
} from './repeat-policy';
export {
  COMMIT_ID,
  MAX_COMMITS,
  recordOutcome,
  restoreState,
  startBisection,
  STATE_VERSION,
  type BisectState,
  type StartBisection,
  type StepRecord,
} from './bisect-state';
export {
  CANDIDATE_LIST_LIMIT,
  type BisectDecision,
  type CannotBisectDecision,
  type CannotBisectReason,
  type Evidence,
  type FoundDecision,
  type TestDecision,
  type TestPurpose,
} from './decision';
export { decideNext } from './next-step';
export { describeDecision, describeState, SHORT_COMMIT } from './progress';
