export type {
  Assignment,
  Decision,
  DecisionInput,
  ImpossibleRun,
  QueuedRun,
  RunSelector,
  RunTarget,
  SchedulingMachine,
  SchedulingOptions,
  WaitingRun,
} from './types';
export { AGING_POINTS_PER_MINUTE, effectivePriority, MAX_PRIORITY, minutesToReach } from './priority';
export { FAIR_SHARE_POINTS, fairSharePenalty } from './fair-share';
export {
  describeTarget,
  explainImpossible,
  IN_SERVICE_HEALTH,
  isInService,
  MachineIndex,
  matchesTarget,
  requirementOf,
  type Requirement,
} from './matching';
export { decide, resolveSchedulingOptions, type ResolvedSchedulingOptions } from './decide';
export {
  backoffMs,
  DEFAULT_RETRY_POLICY,
  isFlaky,
  passRate,
  slotState,
  type AttemptView,
  type RetryPolicy,
  type SlotState,
} from './retry-policy';
