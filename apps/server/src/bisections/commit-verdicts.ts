import {
  classifyBaseline,
  classifyStep,
  parseCriterion,
  reproductionRate,
  requiredPasses,
  type BisectState,
  type Classification,
  type ClassifyContext,
  type StepOutcome,
} from '@pfnlab/bisect';

/*
 * What each tested commit is so far (good, bad, skip, undecided, and why),
 * for people: the API lists it per step. libs/bisect recomputes the same
 * classifications inside decideNext without exposing them, so this follows
 * its step 2 (next-step.ts): the endpoint checked first with its own
 * context, the others with the passes the measured failure rate asks. The
 * confirmation runs of the culprit's parent are not modelled here: the
 * conclusion's evidence (decideNext) is the authority for those two commits.
 */
export function classifyTestedCommits(state: BisectState): Map<string, Classification> {
  const criterion = parseCriterion(state.criterion);
  const o = state.options;
  const n = state.commits.length;
  const metric = criterion.kind === 'metric';
  const first = state.commits[metric ? 0 : n - 1];
  const outcome = (commit: string): StepOutcome => state.steps.find((s) => s.commit === commit) ?? { runs: [] };
  const firstCls = metric
    ? classifyBaseline(criterion, outcome(first), { baselineRuns: o.baselineRuns, minRuns: Math.min(o.verifyRuns, o.baselineRuns), maxRuns: o.maxRuns })
    : classifyStep(criterion, outcome(first), { requiredPasses: o.maxRuns, minRuns: o.verifyRuns, maxRuns: o.maxRuns, batchRuns: o.verifyRuns });
  const ctx = (required: number): ClassifyContext =>
    metric ? { requiredPasses: 1, minRuns: 1, maxRuns: o.maxRuns, baseline: firstCls.samples, batchRuns: o.metricRuns, alpha: o.alpha } : { requiredPasses: required, minRuns: 1, maxRuns: o.maxRuns };
  const out = new Map<string, Classification>();
  const usable = !metric || firstCls.verdict === 'good';
  const classify = (commit: string, required: number): Classification => {
    if (commit === first) return firstCls;
    // A metric step without a baseline cannot be compared; libs/bisect ends the bisection before testing one.
    if (!usable) return { verdict: 'undecided', reason: 'no baseline from the good endpoint', moreRuns: 0, counts: { bad: 0, pass: 0, other: 0, labError: 0 } };
    return classifyStep(criterion, outcome(commit), ctx(required));
  };
  let required = 1;
  if (!metric) {
    const bad = state.steps.map((s) => classify(s.commit, o.maxRuns)).filter((c) => c.verdict === 'bad');
    required = requiredPasses(reproductionRate(bad.map((c) => c.counts)), o.missRisk, o.maxRuns);
  }
  for (const s of state.steps) out.set(s.commit, classify(s.commit, required));
  return out;
}
