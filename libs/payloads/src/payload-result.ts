import type { Unit } from './marker-format';

/* What parsePayloadOutput() returns, and the bounds it parses within. */

export type PayloadStatus = 'ok' | 'skip' | 'fail' | 'incomplete';

export interface PayloadSample {
  metric: string;
  value: number;
  unit: Unit;
  iteration?: number;
  labels: Record<string, string>;
}

/** Occurrences (errno of a failed offline, dropped blocks...): count lines are increments, summed here per metric + labels. */
export interface PayloadCount {
  metric: string;
  value: number;
  unit: Unit;
  labels: Record<string, string>;
}

export interface PayloadCounter {
  /** Kernel function (`__add_pages`), `vmstat.<field>`, `warn_count`, `perf.cycles`... */
  name: string;
  /** kprobe | derived | vmstat | sysfs | perf */
  source: string;
  /** Function counters: completed calls. */
  calls?: number;
  totalNs?: number;
  meanNs?: number;
  maxNs?: number;
  /** Plain counters (deltas may be negative: vmstat gauges). */
  value?: number;
  unit?: Unit;
  method?: string;
  /** e.g. caller_of:pfn_valid when the function stands in for an inlined one. */
  role?: string;
  labels: Record<string, string>;
}

export interface UnavailableCounter {
  counter: string;
  reason: string;
  detail?: string;
}

export interface PayloadSkip {
  reason: string;
  part?: string;
  detail?: string;
  labels: Record<string, string>;
}

export interface PayloadProblem {
  /** 1-based line of the input (0 when the problem is about the whole output). */
  line: number;
  seq?: number;
  run?: string;
  message: string;
  /** The offending text, cut to 160 characters, control characters escaped. */
  text?: string;
}

export interface PayloadClock {
  source: string;
  resolutionNs?: number;
  overheadNs?: number;
}

export interface PayloadResult {
  payload?: string;
  run?: string;
  status: PayloadStatus;
  /** When status is skip: the reason (parts joined as "part:reason; ..."). */
  skipReason?: string;
  /** When status is fail: end's reason. */
  failReason?: string;
  skips: PayloadSkip[];
  /** The begin line's keys (payload parameters, arch, kernel, clock...). */
  params: Record<string, string>;
  clock?: PayloadClock;
  info: Array<Record<string, string>>;
  /** The end line's keys other than status and reason. */
  end: Record<string, string>;
  samples: PayloadSample[];
  counts: PayloadCount[];
  /** Sum of `counts` per metric. */
  countTotals: Record<string, number>;
  counters: PayloadCounter[];
  unavailable: UnavailableCounter[];
  problems: PayloadProblem[];
  /** Lines dropped as exact repeats (same run and seq: a reconnect replayed them). */
  duplicates: number;
  /** Sequence numbers missing in the chosen run before its end (lines lost). */
  missingLines: number;
  /** Other runs in the text (payload, status), e.g. a retried payload. */
  otherRuns: Array<{ run: string; payload?: string; status: PayloadStatus }>;
}

export interface ParseLimits {
  maxLineLength: number;
  maxMarkerLines: number;
  maxLabels: number;
  /** Largest duration accepted, ns (default 10^13: 2.8 hours). */
  maxNs: number;
  maxCount: number;
  maxIteration: number;
}

export interface ParseOptions {
  /** Use this run (id) as the payload's; default: the last run that is not `counters`. */
  run?: string;
  /** Use the last run of this payload. */
  payload?: string;
  limits?: Partial<ParseLimits>;
}

export const DEFAULT_LIMITS: ParseLimits = {
  maxLineLength: 4096,
  maxMarkerLines: 200_000,
  maxLabels: 24,
  maxNs: 1e13,
  maxCount: 1e15,
  maxIteration: 10_000_000,
};
