/*
 * What GET /api/runs/:id/results answers: the server builds it, the CLI
 * prints it. One definition, so the two cannot drift apart.
 */

/** One metric of one payload result: how many values and their spread. */
export interface MetricSummary {
  metric: string;
  kind: string;
  unit: string;
  n: number;
  median: number;
  min: number;
  max: number;
}

/** One tests: entry's result in one run. */
export interface PayloadResultView {
  payload: string;
  testIndex: number;
  testIteration: number;
  status: string;
  reason: string | null;
  params: Record<string, string>;
  warnings: number;
  seconds: number;
  /** Counters this kernel could not give, and why (payload-events PayloadResultEvent.unavailable). */
  unavailable: Array<{ counter: string; reason: string; detail?: string }>;
  problems: string[];
  counters: unknown[];
  metrics: MetricSummary[];
  reportedAt: string;
}
