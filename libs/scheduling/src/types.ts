import type { Arch, Health, Platform } from '@pfnlab/contracts';

/**
 * What the scheduler knows about a machine. Every machine of the lab is
 * passed, in service or not, leased or free: the out-of-service ones are
 * what an "impossible" reason names, the leased ones count towards their
 * user's fair share and make a run wait rather than fail.
 */
export interface SchedulingMachine {
  /** Unique; also the last tie-break, so decisions do not depend on input order. */
  name: string;
  arch: Arch;
  platform: Platform;
  tags: readonly string[];
  memoryMiB: number;
  health: Health;
  /**
   * The user whose run holds the machine's (unexpired) lease; null or absent
   * when the machine is free. Any stable string: the dispatcher passes the
   * job's submitter (a fixed placeholder for jobs without one).
   */
  leasedBy?: string | null;
}

/** A job spec's `target.selector` (libs/contracts MachineSelectorSchema). */
export interface RunSelector {
  arch?: Arch;
  platform?: Platform;
  /** Every one must be among the machine's tags. */
  tags?: readonly string[];
  minMemoryMiB?: number;
}

/** A job spec's `target`: a named machine or a selector. */
export type RunTarget = { machine: string } | { selector: RunSelector };

/** A run waiting for a machine. */
export interface QueuedRun {
  /** Unique; the last tie-break. */
  id: string;
  /** Who submitted it: the unit of fair share. */
  user: string;
  /** The job's arch; a machine must have it whatever the target says. */
  arch: Arch;
  target: RunTarget;
  /** Base priority 0..100 (low 25, normal 50, high 75, urgent 100). */
  priority: number;
  /** When it started waiting, ms since the epoch (the job's submission, or the retry's). */
  queuedAt: number;
  /**
   * The only machine it may go to: the runs of an A/B job stay on the
   * machine its first run got (a comparison across machines measures the
   * machines). It must still match the target.
   */
  pinnedMachine?: string;
  /**
   * A machine to stay away from if any other in-service machine matches: a
   * retry after an ERROR goes to another machine when one exists.
   */
  avoidMachine?: string;
}

export interface SchedulingOptions {
  /** Points of effective priority a run gains per minute of waiting (default AGING_POINTS_PER_MINUTE). */
  agingPointsPerMinute?: number;
  /** Points a user at or above their fair share loses (default FAIR_SHARE_POINTS). */
  fairSharePoints?: number;
}

export interface DecisionInput {
  /** The decision's clock, ms since the epoch. */
  now: number;
  machines: readonly SchedulingMachine[];
  runs: readonly QueuedRun[];
}

export interface Assignment {
  runId: string;
  machine: string;
  /** Base priority plus aging, capped at 100. */
  effectivePriority: number;
  /** What ranked it: effective priority minus its user's fair-share penalty at that moment. */
  score: number;
}

export interface ImpossibleRun {
  runId: string;
  /** Names what did not match, and the out-of-service machines that would have. */
  reason: string;
}

export interface WaitingRun {
  runId: string;
  effectivePriority: number;
  /** Why it got no machine in this decision. */
  reason: string;
}

export interface Decision {
  /** Run -> machine, each machine at most once, in the order they were decided (best-ranked first). */
  assignments: Assignment[];
  /** Runs no machine in service could ever take (leased ones included), sorted by run id. */
  impossible: ImpossibleRun[];
  /** The other runs, best-ranked first: the queue as it stands after the assignments. */
  waiting: WaitingRun[];
}
