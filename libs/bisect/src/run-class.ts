import { median } from '@pfnlab/stats';
import { normalizeCrashTitle, type Criterion } from './criterion';
import type { RunOutcome } from './outcome';

/*
 * One run, read against the criterion. Four answers:
 *
 * - `bad`: the run shows what the criterion looks for (it did not boot; it
 *   crashed with the title).
 * - `pass`: the run could have shown it and did not. For a metric, a run
 *   that measured the metric (its sample is in `sample`).
 * - `other`: the kernel failed for another reason first (a different
 *   crash, a hang before the test, no samples of the metric), so the run
 *   says nothing either way: another bug can hide ours.
 * - `lab-error`: ERROR or CANCELED, the lab's doing; no evidence about the
 *   kernel. (The server has already retried an ERROR once, DESIGN.md.)
 */

export type RunClassKind = 'bad' | 'pass' | 'other' | 'lab-error';

export interface RunClass {
  kind: RunClassKind;
  /** Why, for `bad` and `other`; shown to people when it decides a step. */
  reason: string;
  /** Metric criterion, `pass` runs: the run's sample (median of its values). */
  sample?: number;
}

/** Steps that come after the kernel reached user space: failing there means it booted. */
const AFTER_BOOT: ReadonlySet<string> = new Set(['test', 'collect', 'recover', 'release']);

export function classifyRun(criterion: Criterion, run: RunOutcome): RunClass {
  switch (criterion.kind) {
    case 'boot':
      return bootRun(run);
    case 'crash':
      return crashRun(criterion.title, run);
    case 'metric':
      return metricRun(criterion.metric, run);
  }
}

function labError(run: RunOutcome): RunClass | null {
  if (run.verdict !== 'ERROR' && run.verdict !== 'CANCELED') return null;
  return { kind: 'lab-error', reason: `${run.verdict}${run.reason ? `: ${run.reason}` : ''}` };
}

function bootRun(run: RunOutcome): RunClass {
  const lab = labError(run);
  if (lab) return lab;
  if (run.verdict === 'PASS' || run.verdict === 'DONE') return { kind: 'pass', reason: 'booted' };
  // FAIL from here on.
  if (run.reachedUserspace === true) return { kind: 'pass', reason: `booted, then failed: ${failure(run)}` };
  const step = run.failedStep ?? null;
  if (step !== null && AFTER_BOOT.has(step)) return { kind: 'pass', reason: `booted, then failed in the ${step} step: ${failure(run)}` };
  // The verdict event says FAIL without a step only for the boot itself; the kernel is at fault (FAIL, not ERROR).
  if (step === null || step === 'boot') return { kind: 'bad', reason: `did not boot: ${failure(run)}` };
  // reserve, console, deploy, power: the kernel never ran (a deploy that found no kernel to stage).
  return { kind: 'other', reason: `failed in the ${step} step before the kernel ran: ${failure(run)}` };
}

function crashRun(title: string, run: RunOutcome): RunClass {
  const titles = (run.crashTitles ?? []).map(normalizeCrashTitle);
  // The title is evidence whatever the verdict: a crash the console showed
  // happened, even in a run the lab then lost (ERROR) or someone canceled.
  if (titles.includes(title)) return { kind: 'bad', reason: `crashed with ${JSON.stringify(title)}` };
  const lab = labError(run);
  if (lab) return lab;
  if (run.verdict === 'PASS' || run.verdict === 'DONE') return { kind: 'pass', reason: 'ran without the crash' };
  if (titles.length) return { kind: 'other', reason: `crashed with another title: ${JSON.stringify(titles[0])}` };
  if (run.reachedUserspace === false || run.failedStep === 'boot' || run.failedStep == null) {
    return { kind: 'other', reason: `did not boot, without the crash: ${failure(run)}` };
  }
  return { kind: 'other', reason: `failed in the ${run.failedStep} step without the crash: ${failure(run)}` };
}

function metricRun(metric: string, run: RunOutcome): RunClass {
  const lab = labError(run);
  if (lab) return lab;
  const values = run.metrics && Object.prototype.hasOwnProperty.call(run.metrics, metric) ? run.metrics[metric] : undefined;
  // A FAIL that still measured counts: a kernel that WARNs in every hotplug
  // iteration is FAIL, and its slowness may be exactly the regression sought.
  if (values && values.length) return { kind: 'pass', reason: 'measured', sample: median(values) };
  if (run.verdict === 'PASS' || run.verdict === 'DONE') return { kind: 'other', reason: `no samples of ${metric}` };
  return { kind: 'other', reason: `no samples of ${metric}: ${failure(run)}` };
}

function failure(run: RunOutcome): string {
  if (run.reason) return run.reason;
  if (run.crashTitles?.length) return run.crashTitles[0];
  return run.verdict;
}
