import type { SampleComparison } from '@pfnlab/stats';
import type { BuildOutcome } from './outcome';
import type { RunClass } from './run-class';

/*
 * The answer for one commit, whatever the criterion: its verdict, why, and
 * how many more runs it needs. classify-step.ts (boot, crash) and
 * classify-metric.ts compute it.
 */

export type StepVerdict = 'good' | 'bad' | 'skip' | 'undecided';

export interface RunCounts {
  /** Runs that showed the failure. */
  bad: number;
  /** Runs that could have shown it and did not (metric: runs that measured). */
  pass: number;
  /** Runs that failed for another reason. */
  other: number;
  /** ERROR or CANCELED: the lab's, no evidence. */
  labError: number;
}

export interface Classification {
  verdict: StepVerdict;
  /** One line for people: why this verdict. */
  reason: string;
  /** Undecided: runs to start now. 0 otherwise. */
  moreRuns: number;
  counts: RunCounts;
  /** Metric: the comparison with the good endpoint, when there was one. */
  comparison?: SampleComparison;
  /** Metric: this commit's samples, one per measuring run. */
  samples?: number[];
}

export interface ClassifyContext {
  /** Boot, crash: passes needed before the commit is called good. */
  requiredPasses: number;
  /** Runs (not counting lab errors) before any verdict: the endpoint checks use it to see every run they asked for. */
  minRuns: number;
  /** Most runs; undecided after them means skip. */
  maxRuns: number;
  /** Metric: the good endpoint's samples, the baseline of the comparison. */
  baseline?: readonly number[];
  /** Most runs to ask for at once. Metric: runs per batch. Boot, crash: default all the passes still needed. */
  batchRuns?: number;
  /** Metric: significance level. */
  alpha?: number;
}

/** A build that failed leaves nothing to run. */
export function buildSkip(build: BuildOutcome | null | undefined): Classification | null {
  if (!build || build.status === 'PASS') return null;
  const counts: RunCounts = { bad: 0, pass: 0, other: 0, labError: 0 };
  const title = build.title ? `: ${build.title}` : '';
  if (build.status === 'FAIL') return { verdict: 'skip', reason: `does not build${title}`, moreRuns: 0, counts };
  return { verdict: 'skip', reason: `the build failed in the lab (ERROR)${title}`, moreRuns: 0, counts };
}

export function countRuns(classes: readonly RunClass[]): RunCounts {
  const counts: RunCounts = { bad: 0, pass: 0, other: 0, labError: 0 };
  for (const c of classes) {
    if (c.kind === 'bad') counts.bad++;
    else if (c.kind === 'pass') counts.pass++;
    else if (c.kind === 'other') counts.other++;
    else counts.labError++;
  }
  return counts;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
