import type { BisectState, StepRecord } from './bisect-state';
import type { Classification, ClassifyContext } from './classification';
import { classifyBaseline } from './classify-metric';
import { classifyStep } from './classify-step';
import { parseCriterion } from './criterion';
import { CANDIDATE_LIST_LIMIT, type BisectDecision, type CannotBisectDecision, type CannotBisectReason, type Evidence, type TestPurpose } from './decision';
import { BisectInputError, type StepOutcome } from './outcome';
import { log2ceil, reproductionRate, reproductionRateLowerBound, requiredPasses } from './repeat-policy';

/*
 * The state machine: from what the tested commits gave, what to do next.
 *
 * The plan, and why:
 *
 * 1. One endpoint first. Boot and crash: the bad endpoint, with verifyRuns
 *    runs. It proves the criterion matches what the developer saw (the
 *    exact title, on this lab) before anything is spent on the range, and
 *    its runs measure how reliably the failure reproduces, which sets the
 *    runs every later "good" needs. Metric: the good endpoint, measured
 *    baselineRuns times; its samples are every comparison's baseline.
 * 2. The other endpoint only when the answer would rest on it: the search
 *    treats it as one more candidate position, so it is tested exactly
 *    when the range has narrowed to it. A conclusion's evidence is then
 *    always two tested commits, and an endpoint that contradicts the
 *    developer is still reported (good-endpoint-bad, bad-endpoint-good).
 * 3. Binary search: with lo the newest good and hi the oldest bad commit
 *    tested (or -1 and n, positions just outside the list, while an
 *    endpoint is untested), the first bad commit is one of the hi - lo
 *    positions lo+1..hi; testing the untested commit nearest (lo + hi) / 2
 *    halves them.
 * 4. Boot and crash: before the culprit is named, its parent (the last
 *    good commit) gets the extra passes a pessimistic reading of the
 *    failure rate asks for (repeat-policy.ts); a crash there moves the
 *    search below it. Same commit, same build: no extra step.
 *
 * Steps: a step is one commit built and tested, however many runs it
 * takes; the endpoint checks count. Step 1 leaves n possible positions
 * (0..n-1, or 1..n for a metric), which ceil(log2 n) halvings decide: at
 * most ceil(log2 n) + 1 steps for a range without skips, the bound.
 * Checking both endpoints first would cost ceil(log2 (n-1)) + 2, one more
 * than the bound for n = 16.
 *
 * Skips: a commit that cannot answer is left out, and the untested commit
 * next nearest the middle is tried (git bisect also tries a neighbour of a
 * skipped commit). When only skipped commits lie between lo and hi, any of
 * them or hi can be the first bad one: they are listed.
 *
 * Runs come from the classification (classify-step.ts): call decideNext
 * when every run asked for has reported, or it asks for the missing ones
 * again.
 *
 * A good commit newer than a bad one cannot come from this plan (it only
 * tests between the newest good and the oldest bad commit, and a commit
 * once bad stays bad), only from outcomes recorded for commits it did not
 * ask about; it ends the bisection as not-monotonic rather than guessing
 * which of the two to believe.
 */

const EMPTY: StepOutcome = { runs: [] };

export function decideNext(state: BisectState): BisectDecision {
  const criterion = parseCriterion(state.criterion);
  const o = state.options;
  const { commits } = state;
  const n = commits.length;
  const records = recordsByIndex(state);
  const used = records.size;
  let runsSoFar = 0;
  for (const r of records.values()) runsSoFar += r.runs.length;
  const metric = criterion.kind === 'metric';
  const short = (i: number) => commits[i].slice(0, 12);
  const evidence = (i: number, c: Classification): Evidence => ({
    commit: commits[i],
    index: i,
    verdict: c.verdict,
    reason: c.reason,
    counts: c.counts,
    runIds: (records.get(i)?.runs ?? []).flatMap((r) => (r.runId ? [r.runId] : [])),
  });
  const test = (i: number, c: Classification, purpose: TestPurpose, estimated: number, commitsLeft: number): BisectDecision => {
    const step = records.has(i) ? used : used + 1;
    const runsDone = records.get(i)?.runs.length ?? 0;
    return { kind: 'test', commit: commits[i], index: i, runs: c.moreRuns, runsDone, purpose, reason: c.reason, step, estimatedSteps: Math.max(step, estimated), commitsLeft, runsSoFar };
  };
  const cannot = (reason: CannotBisectReason, message: string, evidenceList: Evidence[], candidates: number[] = [], candidateCount = candidates.length): CannotBisectDecision => ({
    kind: 'cannot-bisect',
    reason,
    message,
    candidates: candidates.slice(0, CANDIDATE_LIST_LIMIT).map((i) => commits[i]),
    candidateCount,
    evidence: evidenceList,
    steps: used,
    runsSoFar,
  });

  // 1. The endpoint checked first.
  const first = metric ? 0 : n - 1;
  const firstCls =
    criterion.kind === 'metric'
      ? classifyBaseline(criterion, records.get(first) ?? EMPTY, { baselineRuns: o.baselineRuns, minRuns: Math.min(o.verifyRuns, o.baselineRuns), maxRuns: o.maxRuns })
      : // Before the developer is told their bad commit is good, it gets every run: maxRuns passes, verifyRuns at a time.
        classifyStep(criterion, records.get(first) ?? EMPTY, { requiredPasses: o.maxRuns, minRuns: o.verifyRuns, maxRuns: o.maxRuns, batchRuns: o.verifyRuns });
  if (firstCls.verdict === 'undecided') {
    const c = firstCls.counts;
    const why = !metric && c.pass > 0 && c.pass + c.other >= o.verifyRuns ? { ...firstCls, reason: `no failure in ${c.pass + c.other} runs yet; a bad endpoint gets ${o.maxRuns} before it is called good` } : firstCls;
    return test(first, why, metric ? 'baseline' : 'verify-bad', 1 + log2ceil(n), n - 1);
  }
  if (firstCls.verdict === 'skip') {
    const what = metric ? `the good endpoint ${short(first)} cannot be measured, so there is no baseline` : `the bad endpoint ${short(first)} cannot be tested against ${state.criterion}`;
    return cannot('endpoint-untestable', `${what}: ${firstCls.reason}`, [evidence(first, firstCls)]);
  }
  if (!metric && firstCls.verdict === 'good') {
    return cannot('bad-endpoint-good', `the bad endpoint ${short(first)} does not show ${state.criterion}: ${firstCls.reason}`, [evidence(first, firstCls)]);
  }

  // 2. Every tested commit, with the runs a good one needs now.
  const baseline = metric ? firstCls.samples : undefined;
  const ctx = (required: number): ClassifyContext =>
    metric ? { requiredPasses: 1, minRuns: 1, maxRuns: o.maxRuns, baseline, batchRuns: o.metricRuns, alpha: o.alpha } : { requiredPasses: required, minRuns: 1, maxRuns: o.maxRuns };
  const classify = (i: number, required: number) => (i === first ? firstCls : classifyStep(criterion, records.get(i) ?? EMPTY, ctx(required)));
  let required = 1;
  let confirm = 1;
  if (!metric) {
    // Whether a commit is bad does not depend on the passes asked of a good one: measure the rate first.
    const bad = [...records.keys()].map((i) => classify(i, o.maxRuns)).filter((c) => c.verdict === 'bad');
    required = requiredPasses(reproductionRate(bad.map((c) => c.counts)), o.missRisk, o.maxRuns);
    const failed = bad.reduce((sum, c) => sum + c.counts.bad, 0);
    const seen = bad.reduce((sum, c) => sum + c.counts.bad + c.counts.pass, 0);
    confirm = Math.max(required, requiredPasses(reproductionRateLowerBound(failed, seen), o.missRisk, o.maxRuns));
  }
  const cls = new Map<number, Classification>();
  for (const i of records.keys()) cls.set(i, classify(i, required));
  const lo = maxIndex(cls, 'good');
  const hi = Math.min(minIndex(cls, 'bad'), n);
  // The search itself never makes this: it only tests between lo and hi.
  // Outcomes recorded for commits it did not ask about can.
  if (lo > hi) {
    const g = cls.get(lo)!;
    const b = cls.get(hi)!;
    return cannot(
      'not-monotonic',
      `${short(lo)} is good (${g.reason}) but the older ${short(hi)} is bad (${b.reason}): the criterion does not change once in this range ` +
        '(a fix and a new break between them, or a history that is not one line)',
      [evidence(hi, b), evidence(lo, g)],
    );
  }
  const left = Math.min(hi, n - 1) - Math.max(lo, 0);

  // 3. A commit in the range that needs more runs goes first; the newest
  //    one, since once it is decided the older ones may no longer matter.
  let pending = -1;
  for (const [i, c] of cls) if (c.verdict === 'undecided' && i > lo && i < hi && i > pending) pending = i;
  if (pending >= 0) return test(pending, cls.get(pending)!, 'more-runs', used - 1 + log2ceil(hi - lo), left);

  // 4. Decided?
  if (hi - lo === 1) {
    if (lo === -1) return cannot('good-endpoint-bad', `the good endpoint ${short(0)} shows ${state.criterion} too: ${cls.get(0)!.reason}`, [evidence(0, cls.get(0)!)]);
    if (hi === n) {
      const b = cls.get(n - 1)!;
      return cannot('bad-endpoint-good', `the bad endpoint ${short(n - 1)} does not show ${state.criterion}: ${b.reason}`, [evidence(n - 1, b)]);
    }
    // The culprit's parent passes as often as a pessimistic failure rate asks (repeat-policy.ts):
    // if the answer is wrong, this is the commit that was misread. At maxRuns it stands as it is.
    const parent = confirm > required ? classify(lo, confirm) : cls.get(lo)!;
    if (parent.verdict === 'undecided') return test(lo, parent, 'confirm', used, left);
    const lastGood = parent.verdict === 'good' ? parent : cls.get(lo)!;
    return { kind: 'found', culprit: commits[hi], index: hi, lastGood: evidence(lo, lastGood), firstBad: evidence(hi, cls.get(hi)!), steps: used, runsSoFar };
  }

  // 5. The next commit, or why there is none.
  const m = nearestUntested(lo, hi, n, records);
  const bounds = [lo, hi].filter((i) => cls.has(i)).map((i) => evidence(i, cls.get(i)!));
  if (m === null) return onlySkipped(lo, hi, n, cls, short, evidence, bounds, cannot);
  if (used >= o.maxSteps) {
    const from = Math.max(lo, 0) + 1;
    const candidates = range(from, Math.min(from + CANDIDATE_LIST_LIMIT, Math.min(hi, n - 1) + 1));
    const span = left === 1 ? short(from) : `${short(from)}..${short(Math.min(hi, n - 1))}`;
    return cannot('budget-exhausted', `the budget of ${o.maxSteps} steps is spent: the first bad commit is one of ${left} (${span})`, bounds, candidates, left);
  }
  return test(m, classify(m, required), 'bisect', used + log2ceil(hi - lo), left);
}

/** Only skipped commits between lo and hi: they and hi are the candidates, as git bisect lists them. */
function onlySkipped(
  lo: number,
  hi: number,
  n: number,
  cls: ReadonlyMap<number, Classification>,
  short: (i: number) => string,
  evidence: (i: number, c: Classification) => Evidence,
  bounds: Evidence[],
  cannot: (reason: CannotBisectReason, message: string, evidence: Evidence[], candidates: number[], count?: number) => CannotBisectDecision,
): CannotBisectDecision {
  const skipped = range(lo + 1, hi);
  const candidates = [...skipped.filter((i) => i >= 1), ...(hi < n ? [hi] : [])];
  const shown = candidates.slice(0, 10).map((i) => (cls.get(i)?.verdict === 'skip' ? `${short(i)} (skipped: ${cls.get(i)!.reason})` : short(i)));
  const more = candidates.length > 10 ? `, and ${candidates.length - 10} more` : '';
  let message = `there are only skipped commits left to test; the first bad commit could be any of: ${shown.join(', ')}${more}`;
  if (lo === -1) message += `. The good endpoint ${short(0)} could not be tested either (${cls.get(0)!.reason}), so it may be bad itself`;
  if (hi === n) message += `. The bad endpoint ${short(n - 1)} could not be tested either, so none of them may be bad`;
  const ev = [...bounds, ...skipped.map((i) => evidence(i, cls.get(i)!))].sort((a, b) => a.index - b.index);
  return cannot('only-skipped-left', message, ev, candidates);
}

/**
 * The untested position strictly between lo and hi nearest their middle,
 * the older one on a tie; null when every one is tested (all skipped).
 * Walks outwards from the middle, so it looks at one more position than
 * there are tested commits in the range, however long the range is.
 */
function nearestUntested(lo: number, hi: number, n: number, records: ReadonlyMap<number, unknown>): number | null {
  const mid = (lo + hi) / 2;
  let down = Math.floor(mid);
  let up = down + 1;
  const first = Math.max(lo + 1, 0);
  const last = Math.min(hi - 1, n - 1);
  while (down >= first || up <= last) {
    const takeDown = down >= first && (up > last || mid - down <= up - mid);
    const i = takeDown ? down-- : up++;
    if (i >= first && i <= last && !records.has(i)) return i;
  }
  return null;
}

function recordsByIndex(state: BisectState): Map<number, StepRecord> {
  const position = new Map<string, number>();
  state.commits.forEach((c, i) => position.set(c, i));
  const records = new Map<number, StepRecord>();
  for (const s of state.steps) {
    const i = position.get(s.commit);
    if (i === undefined) throw new BisectInputError(`step for ${s.commit.slice(0, 12)}, which is not in the range`);
    if (records.has(i)) throw new BisectInputError(`two step records for ${s.commit.slice(0, 12)}`);
    records.set(i, s);
  }
  return records;
}

function maxIndex(cls: ReadonlyMap<number, Classification>, verdict: 'good' | 'bad'): number {
  let m = -1;
  for (const [i, c] of cls) if (c.verdict === verdict && i > m) m = i;
  return m;
}

function minIndex(cls: ReadonlyMap<number, Classification>, verdict: 'good' | 'bad'): number {
  let m = Infinity;
  for (const [i, c] of cls) if (c.verdict === verdict && i < m) m = i;
  return m;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}
