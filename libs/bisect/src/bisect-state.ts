import { formatCriterion, parseCriterion, type Criterion } from './criterion';
import { BisectInputError, checkStepOutcome, type BuildOutcome, type RunOutcome, type StepOutcome } from './outcome';
import { resolveOptions, type BisectOptions, type ResolvedBisectOptions } from './repeat-policy';

/*
 * A bisection as plain data: the commits, the criterion, the options and
 * what every tested commit gave. Nothing else is kept: what to test next
 * and whether the answer is known are recomputed from it (next-step.ts),
 * so a state the server stored as JSON, read back after a restart, gives
 * exactly the same decision, and no derived field can disagree with the
 * evidence.
 *
 * The commits are one linear list, oldest first: [0] is the good endpoint,
 * [n-1] the bad one. Bisection needs "bad from some point on", which only a
 * line can have; the caller linearises the history, e.g. with
 * `git rev-list --first-parent --reverse GOOD^..BAD` (or GOOD..BAD with GOOD
 * put in front), so that a merge of a topic branch is one step. The culprit
 * is then a commit of that line (a merge, for a bug that came in with a
 * merged branch: bisect the branch next).
 */

export const STATE_VERSION = 1;
/** Full or abbreviated hex object names, as `git rev-list` prints them (sha1 or sha256). */
export const COMMIT_ID = /^[0-9a-f]{7,64}$/;
/** About 40 bytes a commit in the stored state; a million is more than a decade of mainline first-parent history. */
export const MAX_COMMITS = 1_000_000;

export interface StepRecord {
  commit: string;
  /** The latest build report (null: none given, a stored build was reused). */
  build: BuildOutcome | null;
  /** Every run reported for this commit, in the order reported. */
  runs: RunOutcome[];
}

export interface BisectState {
  version: typeof STATE_VERSION;
  /** Oldest first: [0] the good endpoint, [n-1] the bad one. */
  commits: string[];
  /** The criterion's canonical text (formatCriterion). */
  criterion: string;
  options: ResolvedBisectOptions;
  /** One record per tested commit, in the order they were first tested. */
  steps: StepRecord[];
}

export interface StartBisection {
  commits: readonly string[];
  criterion: string | Criterion;
  options?: BisectOptions;
}

/** A new bisection; throws CriterionError for the criterion, BisectInputError for commits, RangeError for options. */
export function startBisection(input: StartBisection): BisectState {
  const commits = checkCommits(input.commits);
  const criterion = typeof input.criterion === 'string' ? parseCriterion(input.criterion) : parseCriterion(formatCriterion(input.criterion));
  const options = resolveOptions(criterion.kind, commits.length, input.options);
  return { version: STATE_VERSION, commits, criterion: formatCriterion(criterion), options, steps: [] };
}

/**
 * A new state with `outcome` added to the commit's record: its runs are
 * appended to those already reported, and a build report replaces the
 * previous one. The state passed in is not changed.
 */
export function recordOutcome(state: BisectState, commit: string, outcome: StepOutcome): BisectState {
  if (!state.commits.includes(commit)) throw new BisectInputError(`commit ${JSON.stringify(String(commit).slice(0, 64))} is not in this bisection's range`);
  const checked = checkStepOutcome(outcome, `outcome of ${commit.slice(0, 12)}`);
  const at = state.steps.findIndex((s) => s.commit === commit);
  const previous: StepRecord = at >= 0 ? state.steps[at] : { commit, build: null, runs: [] };
  const next: StepRecord = {
    commit,
    build: checked.build === undefined ? previous.build : checked.build,
    runs: [...previous.runs, ...checked.runs],
  };
  const steps = at >= 0 ? state.steps.map((s, i) => (i === at ? next : s)) : [...state.steps, next];
  return { ...state, steps };
}

/**
 * Reads back a stored state (the parsed JSON), checking all of it: the
 * server's copy may come from an older pfnlab or a hand-edited row.
 * Throws BisectInputError naming the first problem.
 */
export function restoreState(value: unknown): BisectState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BisectInputError('a bisection state must be an object');
  const v = value as Record<string, unknown>;
  if (v.version !== STATE_VERSION) throw new BisectInputError(`bisection state version ${String(v.version)} is not supported (this pfnlab reads version ${STATE_VERSION})`);
  const commits = checkCommits(v.commits);
  let criterion: Criterion;
  try {
    criterion = parseCriterion(v.criterion);
  } catch (e) {
    throw new BisectInputError(`stored criterion: ${(e as Error).message}`);
  }
  if (typeof v.options !== 'object' || v.options === null) throw new BisectInputError('stored options must be an object');
  const stored = v.options as Record<string, unknown>;
  const keys: Array<keyof ResolvedBisectOptions> = ['verifyRuns', 'maxRuns', 'missRisk', 'metricRuns', 'baselineRuns', 'alpha', 'maxSteps'];
  for (const k of keys) if (stored[k] === undefined) throw new BisectInputError(`stored options lack ${k}`);
  let options: ResolvedBisectOptions;
  try {
    options = resolveOptions(criterion.kind, commits.length, Object.fromEntries(keys.map((k) => [k, stored[k]])) as BisectOptions);
  } catch (e) {
    throw new BisectInputError(`stored options: ${(e as Error).message}`);
  }
  if (!Array.isArray(v.steps)) throw new BisectInputError('stored steps must be a list');
  const known = new Set(commits);
  const seen = new Set<string>();
  const steps: StepRecord[] = v.steps.map((s: unknown, i: number) => {
    if (typeof s !== 'object' || s === null) throw new BisectInputError(`stored step ${i + 1} must be an object`);
    const r = s as Record<string, unknown>;
    if (typeof r.commit !== 'string' || !known.has(r.commit)) throw new BisectInputError(`stored step ${i + 1} names a commit outside the range`);
    if (seen.has(r.commit)) throw new BisectInputError(`stored step ${i + 1} repeats commit ${r.commit.slice(0, 12)}`);
    seen.add(r.commit);
    const o = checkStepOutcome({ build: r.build, runs: r.runs }, `stored step ${i + 1}`);
    return { commit: r.commit, build: o.build ?? null, runs: [...o.runs] };
  });
  return { version: STATE_VERSION, commits, criterion: formatCriterion(criterion), options, steps };
}

function checkCommits(value: unknown): string[] {
  if (!Array.isArray(value)) throw new BisectInputError('commits must be a list, oldest (the good endpoint) first');
  if (value.length < 2) throw new BisectInputError(`a bisection needs at least 2 commits (a good and a bad one), got ${value.length}`);
  if (value.length > MAX_COMMITS) throw new BisectInputError(`${value.length} commits; at most ${MAX_COMMITS}`);
  const seen = new Set<string>();
  value.forEach((c, i) => {
    if (typeof c !== 'string' || !COMMIT_ID.test(c)) {
      throw new BisectInputError(`commit ${i + 1} is ${JSON.stringify(typeof c === 'string' ? c.slice(0, 70) : c)}: commits are hex object names (7 to 64 of 0-9a-f)`);
    }
    if (seen.has(c)) throw new BisectInputError(`commit ${c.slice(0, 12)} appears twice: the list must be one line of history`);
    seen.add(c);
  });
  return [...value] as string[];
}
