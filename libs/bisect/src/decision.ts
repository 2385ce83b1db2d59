import type { RunCounts, StepVerdict } from './classification';

/*
 * What decideNext answers: test this commit (with this many runs), or the
 * first bad commit with its evidence, or why the range cannot be bisected.
 * Plain data, JSON-serialisable, for the server to act on and store
 * (bisections.culprit and .conclusion) and for people to read.
 */

/** Why a commit is tested now. */
export type TestPurpose =
  /** Boot, crash: the bad endpoint first, to see the criterion show and how reliably. */
  | 'verify-bad'
  /** Metric: the good endpoint first; its samples are every comparison's baseline. */
  | 'baseline'
  /** The commit nearest the middle of what is left. */
  | 'bisect'
  /** A commit already under test needs more runs before it can be called good or bad. */
  | 'more-runs'
  /** The culprit's parent, good so far, gets the passes a pessimistic failure rate asks before the culprit is named. */
  | 'confirm';

export interface TestDecision {
  kind: 'test';
  commit: string;
  /** Position in the commit list (0 = the good endpoint). */
  index: number;
  /** Runs to start now (boots of the one build). */
  runs: number;
  /** Runs this commit has already reported (0 for a commit not tested yet). */
  runsDone: number;
  purpose: TestPurpose;
  /** Why, for people: "not tested yet", "1 of the 3 passes needed...". */
  reason: string;
  /** 1-based: commits built and tested so far, this one included. */
  step: number;
  /** This step plus the most the rest can take if nothing more is skipped. */
  estimatedSteps: number;
  /** Commits that can still be the first bad one. */
  commitsLeft: number;
  /** Runs reported so far, all commits. */
  runsSoFar: number;
}

/** One tested commit's part in a conclusion. */
export interface Evidence {
  commit: string;
  index: number;
  verdict: StepVerdict;
  reason: string;
  counts: RunCounts;
  /** The runs behind it, where the outcomes carried ids. */
  runIds: string[];
}

export interface FoundDecision {
  kind: 'found';
  /** The first bad commit. */
  culprit: string;
  index: number;
  /** The tested commit just before it, good. */
  lastGood: Evidence;
  /** The culprit's own test, bad. */
  firstBad: Evidence;
  steps: number;
  runsSoFar: number;
}

export type CannotBisectReason =
  /** Only skipped commits remain between the last good and the first bad one. */
  | 'only-skipped-left'
  /** The good endpoint shows the failure. */
  | 'good-endpoint-bad'
  /** The bad endpoint does not show it. */
  | 'bad-endpoint-good'
  /** The endpoint checked first cannot be tested (does not build, fails otherwise, no samples for a baseline). */
  | 'endpoint-untestable'
  /** A good commit is newer than a bad one, and more runs confirmed both. */
  | 'not-monotonic'
  /** maxSteps commits were tested and the answer is not known. */
  | 'budget-exhausted';

export interface CannotBisectDecision {
  kind: 'cannot-bisect';
  reason: CannotBisectReason;
  /** For people, one paragraph. */
  message: string;
  /** Commits that can still be the first bad one, oldest first (at most CANDIDATE_LIST_LIMIT). */
  candidates: string[];
  /** How many there are in all. */
  candidateCount: number;
  /** The tested commits the conclusion rests on. */
  evidence: Evidence[];
  steps: number;
  runsSoFar: number;
}

export type BisectDecision = TestDecision | FoundDecision | CannotBisectDecision;

/** Candidates listed in a decision; a budget spent early on a long range leaves more, which candidateCount still counts. */
export const CANDIDATE_LIST_LIMIT = 100;
