import type { CriterionKind } from './criterion';

/*
 * How many runs a commit needs, and how many commits a bisection may test.
 *
 * Boot and crash criteria: one run that shows the failure proves a commit
 * bad (a crash with the exact title does not happen without the bug). A
 * run that passes proves little when the failure is flaky, so "good" needs
 * enough passes that a bug reproducing at rate r would have shown:
 * (1 - r)^N ≤ missRisk. r is measured, not guessed: the bad endpoint is run
 * verifyRuns times first, and every commit found bad adds its runs. A
 * deterministic failure (every run on a bad commit failed) gives N = 1.
 *
 * That estimate can be too kind: a failure firing 60% of the time fails
 * all 3 verification runs one time in five, and then every later commit
 * gets one run. The only wrong answer a boot or crash bisection can give
 * comes from that (a failure proves a commit bad; only a pass can
 * mislead), and it always leaves the same mark: the "last good" commit
 * next to the culprit is really bad. So before the culprit is named, its
 * parent must pass as often as the pessimistic rate (reproductionRate-
 * LowerBound) asks: a few runs on one commit, no rebuild, once.
 *
 * Metric criteria: a batch of metricRuns runs per commit, more batches
 * while the comparison's interval straddles the threshold, up to maxRuns.
 */

export interface BisectOptions {
  /** Runs of the bad endpoint before anything else (boot and crash): they measure how reliably the failure reproduces. Default 3. */
  verifyRuns?: number;
  /** Most runs per commit; a commit still undecided after them is skipped. Default 10 (boot, crash) or 20 (metric). */
  maxRuns?: number;
  /** Accepted chance that a flaky failure hides in a commit called good, per commit. Default 0.05. */
  missRisk?: number;
  /** Metric: runs per batch on a commit. Default 5 (fewer give no usable comparison, libs/stats README). */
  metricRuns?: number;
  /** Metric: runs of the good endpoint, whose samples are every comparison's baseline. Default 10. */
  baselineRuns?: number;
  /** Metric: significance level of the comparison. Default 0.05. */
  alpha?: number;
  /** Most commits tested, endpoints included. Default stepBound(n) + 10 (room for ten skipped commits), at most n. */
  maxSteps?: number;
}

export type ResolvedBisectOptions = Required<BisectOptions>;

export const DEFAULT_VERIFY_RUNS = 3;
export const DEFAULT_MAX_RUNS = { boot: 10, crash: 10, metric: 20 } as const;
export const DEFAULT_MISS_RISK = 0.05;
export const DEFAULT_METRIC_RUNS = 5;
export const DEFAULT_BASELINE_RUNS = 10;
/** Skipped commits a default budget allows for beyond the clean bound. */
export const DEFAULT_EXTRA_STEPS = 10;
const MAX_RUNS_LIMIT = 100;

/**
 * The acceptance bound: a clean range of n commits (endpoints
 * included) is decided in at most ceil(log2 n) + 1 steps, a step being one
 * commit built and tested (however many runs it takes), endpoint checks
 * included. The plan meets it by checking one endpoint first (the bad one,
 * or for a metric the good one, which is the baseline) and the other only
 * when the answer would rest on it: see next-step.ts.
 */
export function stepBound(commitCount: number): number {
  return log2ceil(commitCount) + 1;
}

/** ceil(log2 k) for k ≥ 1, in integers (no floating-point log at powers of two). */
export function log2ceil(k: number): number {
  let steps = 0;
  while (2 ** steps < k) steps++;
  return steps;
}

/** Fills defaults and checks ranges; throws RangeError naming the option. */
export function resolveOptions(kind: CriterionKind, commitCount: number, options: BisectOptions = {}): ResolvedBisectOptions {
  if (typeof options !== 'object' || options === null) throw new RangeError('options must be an object');
  const maxRuns = int(options.maxRuns ?? DEFAULT_MAX_RUNS[kind], 'maxRuns', 1, MAX_RUNS_LIMIT);
  const r: ResolvedBisectOptions = {
    maxRuns,
    verifyRuns: int(options.verifyRuns ?? Math.min(DEFAULT_VERIFY_RUNS, maxRuns), 'verifyRuns', 1, maxRuns),
    missRisk: options.missRisk ?? DEFAULT_MISS_RISK,
    // A metric comparison needs 3 samples a side at the very least (libs/stats MIN_SAMPLES).
    metricRuns: int(options.metricRuns ?? Math.min(DEFAULT_METRIC_RUNS, maxRuns), 'metricRuns', kind === 'metric' ? 3 : 1, maxRuns),
    baselineRuns: int(options.baselineRuns ?? Math.min(DEFAULT_BASELINE_RUNS, maxRuns), 'baselineRuns', kind === 'metric' ? 3 : 1, maxRuns),
    alpha: options.alpha ?? 0.05,
    // No bisection can test more commits than there are.
    maxSteps: int(options.maxSteps ?? Math.min(commitCount, stepBound(commitCount) + DEFAULT_EXTRA_STEPS), 'maxSteps', 1, commitCount),
  };
  if (typeof r.missRisk !== 'number' || !(r.missRisk > 0 && r.missRisk <= 0.5)) throw new RangeError(`missRisk must be in (0, 0.5], got ${String(r.missRisk)}`);
  if (typeof r.alpha !== 'number' || !(r.alpha > 0 && r.alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${String(r.alpha)}`);
  return r;
}

function int(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
  return v;
}

/**
 * How often the failure shows on a commit known to be bad: failing runs
 * over runs that could have shown it (failing plus passing), pooled over
 * the bad commits. Pooling keeps the estimate consistent even though a
 * step stops at its first failure. Null before any bad commit is known.
 */
export function reproductionRate(badCommits: ReadonlyArray<{ bad: number; pass: number }>): number | null {
  let bad = 0;
  let seen = 0;
  for (const c of badCommits) {
    bad += c.bad;
    seen += c.bad + c.pass;
  }
  return seen ? bad / seen : null;
}

/**
 * A pessimistic reading of the same data: the one-sided 95% lower bound
 * (Clopper-Pearson) of the reproduction rate, given `bad` failing runs out
 * of `seen`. Three failures in three runs are also what a failure firing
 * 37% of the time gives 5% of the runs: the bound is 0.05^(1/3) = 0.368.
 * 0 when nothing failed.
 */
export function reproductionRateLowerBound(bad: number, seen: number, confidence = 0.95): number {
  if (bad <= 0 || seen <= 0) return 0;
  const alpha = 1 - confidence;
  if (bad >= seen) return alpha ** (1 / seen);
  // P(X ≥ bad | seen, p) grows with p: find where it reaches alpha by bisection.
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (binomialUpperTail(bad, seen, mid) < alpha) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** P(X ≥ k) for X ~ Binomial(n, p), 0 < p < 1, summed in log space (no underflow at a few hundred runs). */
function binomialUpperTail(k: number, n: number, p: number): number {
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let logC = 0; // log C(n, j), built up to j = k first
  for (let j = 1; j <= k; j++) logC += Math.log((n - j + 1) / j);
  let sum = 0;
  for (let j = k; j <= n; j++) {
    sum += Math.exp(logC + j * lp + (n - j) * lq);
    logC += Math.log((n - j) / (j + 1));
  }
  return Math.min(1, sum);
}

/**
 * Passes a commit needs to be called good: the smallest N with
 * (1 - rate)^N ≤ missRisk, at least 1, at most maxRuns. No measured rate
 * (nothing known bad yet) counts as deterministic.
 */
export function requiredPasses(rate: number | null, missRisk: number, maxRuns: number): number {
  if (rate === null || rate >= 1) return 1;
  if (rate <= 0) return maxRuns;
  // The epsilon keeps an exact power ((1/2)^4 = 0.0625 against 0.0625) from rounding up a step.
  const n = Math.ceil(Math.log(missRisk) / Math.log(1 - rate) - 1e-9);
  return Math.min(maxRuns, Math.max(1, n));
}
