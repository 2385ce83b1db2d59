import type { Criterion, RunOutcome, StepOutcome } from '@pfnlab/bisect';
import type { RunStep, Verdict } from '@pfnlab/contracts';

/*
 * What one step job gave, read from the database rows the agent's reports
 * left (builds, runs, crash occurrences, measurements), as libs/bisect's
 * StepOutcome. Pure: the service queries, this maps.
 */

export interface StepBuildRow {
  status: string;
  title: string | null;
}

export interface StepRunRow {
  id: string;
  state: string;
  verdict: Verdict | null;
  verdictReason: string | null;
  failedStep: RunStep | null;
  milestones: ReadonlyArray<{ name: string }> | null;
  /** Titles of the crashes recorded for this run (crash_occurrences → crashes). */
  crashTitles: readonly string[];
  /** Values of the criterion's metric, in iteration order (metric criteria only). */
  metricValues?: readonly number[];
}

/** The console milestone that says user space came up (libs/console boot-milestones). */
export const USERSPACE_MILESTONE = 'userspace-ready';

/**
 * The step's build: PASS when any run's build of the commit passed (the
 * commit builds; a failure next to it was the lab's or a flake), else FAIL
 * when one failed (the code's fault: skip the commit), else ERROR (the
 * lab's). Unfinished builds say nothing; no finished build (an identical
 * stored one was reused without a report) gives undefined: libs/bisect
 * keeps what it had.
 */
export function stepBuild(rows: readonly StepBuildRow[]): StepOutcome['build'] {
  const finished = rows.filter((b) => b.status === 'PASS' || b.status === 'FAIL' || b.status === 'ERROR');
  for (const status of ['PASS', 'FAIL', 'ERROR'] as const) {
    const b = finished.find((x) => x.status === status);
    if (b) return b.title ? { status, title: b.title } : { status };
  }
  return undefined;
}

export function runOutcome(criterion: Criterion, r: StepRunRow): RunOutcome {
  const out: RunOutcome = {
    runId: r.id,
    verdict: r.verdict ?? 'ERROR',
    failedStep: r.failedStep,
    reachedUserspace: (r.milestones ?? []).some((m) => m.name === USERSPACE_MILESTONE),
    crashTitles: [...r.crashTitles],
  };
  if (r.verdictReason) out.reason = r.verdictReason;
  if (criterion.kind === 'metric' && r.metricValues && r.metricValues.length) out.metrics = { [criterion.metric]: [...r.metricValues] };
  return out;
}

/**
 * The outcome of a finished step job: its build and its finished runs
 * (every attempt: a retried ERROR is no evidence, and the retry that ran
 * is). A run that never finished (the job was canceled before it started)
 * is left out, so libs/bisect asks for it again.
 */
export function stepOutcome(criterion: Criterion, builds: readonly StepBuildRow[], runs: readonly StepRunRow[]): StepOutcome {
  const outcome: StepOutcome = { runs: runs.filter((r) => r.state === 'finished' && r.verdict !== null).map((r) => runOutcome(criterion, r)) };
  const build = stepBuild(builds);
  return build === undefined ? outcome : { ...outcome, build };
}
