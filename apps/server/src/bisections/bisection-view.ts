import { CANDIDATE_LIST_LIMIT, restoreState, type BisectState, type Classification, type RunCounts, } from '@pfnlab/bisect';
import type { BisectionEntity, StoredBisectionStep } from '../db/entities';
import { classifyTestedCommits } from './commit-verdicts';

/*
 * A bisection as the API shows it: the stored row plus, recomputed from
 * libs/bisect's state, what each step's commit is so far and the commits
 * that can still be the first bad one.
 */

export type StepLogEntry = StoredBisectionStep;

export interface StepView extends StepLogEntry {
  /** The commit's class from everything it gave so far: good, bad, skip (like git bisect skip) or undecided. */
  verdict: Classification['verdict'] | 'testing';
  reason: string | null;
  counts: RunCounts | null;
}

export interface RemainingView {
  /** The newest commit known good (the good endpoint until one is tested). */
  lastGood: string;
  /** The oldest commit known bad (the bad endpoint until one is tested). */
  firstBad: string;
  count: number;
  candidates: string[];
  skipped: string[];
}

export function bisectionView(b: BisectionEntity) {
  let state: BisectState | null = null;
  try {
    state = b.bisectState ? restoreState(b.bisectState) : null;
  } catch {
    state = null; // an unreadable stored state is shown as such (state 'error' says why)
  }
  const classes = state ? classifyTestedCommits(state) : new Map<string, Classification>();
  const log = (b.steps ?? []) as StepLogEntry[];
  const steps: StepView[] = log.map((e) => {
    const c = e.finishedAt ? classes.get(e.commit) : undefined;
    return { ...e, verdict: c ? c.verdict : 'testing', reason: c?.reason ?? null, counts: c?.counts ?? null };
  });
  return {
    id: b.id,
    state: b.state,
    good: b.goodRef,
    bad: b.badRef,
    goodCommit: b.goodCommit,
    badCommit: b.badCommit,
    criterion: b.criterion,
    tree: (b.spec as { kernel?: { tree?: string } })?.kernel?.tree ?? null,
    commitCount: state?.commits.length ?? null,
    progress: b.progress,
    currentJobId: b.currentJobId,
    currentCommit: b.currentCommit,
    culprit: b.culprit,
    conclusion: b.conclusion,
    result: b.result,
    remaining: state ? remaining(state, classes) : null,
    steps,
    spec: b.spec,
    createdBy: b.createdBy,
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
    finishedAt: b.finishedAt,
  };
}

/** The list's row: no spec, no steps. */
export function bisectionSummary(b: BisectionEntity) {
  return {
    id: b.id, state: b.state, good: b.goodRef, bad: b.badRef, criterion: b.criterion, progress: b.progress, culprit: b.culprit,
    conclusion: b.conclusion, steps: (b.steps ?? []).length, createdAt: b.createdAt, finishedAt: b.finishedAt,
  };
}

/** Between the newest good and the oldest bad commit: where the first bad commit can still be. */
export function remaining(state: BisectState, classes: ReadonlyMap<string, Classification>): RemainingView {
  const { commits } = state;
  let lo = 0;
  let hi = commits.length - 1;
  commits.forEach((c, i) => {
    const v = classes.get(c)?.verdict;
    if (v === 'good' && i > lo && i <= hi) lo = i;
  });
  for (let i = commits.length - 1; i > lo; i--) if (classes.get(commits[i])?.verdict === 'bad') hi = i;
  const between = commits.slice(lo + 1, hi + 1);
  return {
    lastGood: commits[lo],
    firstBad: commits[hi],
    count: between.length,
    candidates: between.slice(0, CANDIDATE_LIST_LIMIT),
    skipped: between.filter((c) => classes.get(c)?.verdict === 'skip'),
  };
}
