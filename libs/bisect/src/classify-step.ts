import { buildSkip, countRuns, plural, type Classification, type ClassifyContext, type StepVerdict } from './classification';
import { classifyMetricStep } from './classify-metric';
import type { Criterion } from './criterion';
import type { StepOutcome } from './outcome';
import { classifyRun, type RunClass } from './run-class';

/*
 * Everything one commit gave so far (its build and all its runs), read
 * against the criterion: good, bad, skip, or undecided (ask for more runs).
 *
 * - skip: the commit cannot answer. It does not build; the lab failed every
 *   run; the kernel fails for another reason before the criterion can show
 *   (another crash title, a boot failure when the criterion is a crash
 *   title, no samples of the metric); or it stayed undecided up to maxRuns.
 *   Like `git bisect skip`, the search goes around it.
 * - undecided: more runs can settle it. `moreRuns` says how many to start.
 *
 * Flaky crash criteria: runs that crash with the title and runs that pass
 * on one commit make it bad, not undecided. The crash proves the bug is in
 * this commit; the passes only show it does not fire every time. What
 * flakiness makes uncertain is a pass, so it is "good" that waits for more
 * runs (requiredPasses, repeat-policy.ts).
 */

export function classifyStep(criterion: Criterion, outcome: StepOutcome, ctx: ClassifyContext): Classification {
  if (criterion.kind === 'metric') return classifyMetricStep(criterion, outcome, ctx);
  const built = buildSkip(outcome.build);
  if (built) return built;
  const classes = outcome.runs.map((r) => classifyRun(criterion, r));
  const counts = countRuns(classes);
  const attempts = outcome.runs.length;
  const counted = counts.bad + counts.pass + counts.other;
  const first = (kind: RunClass['kind']) => classes.find((c) => c.kind === kind)!.reason;
  const result = (verdict: StepVerdict, reason: string, moreRuns = 0): Classification => ({ verdict, reason, moreRuns, counts });

  if (counted === 0 && counts.labError > 0) return result('skip', `the lab failed every run (${plural(attempts, 'run')}): ${first('lab-error')}`);
  if (counts.bad > 0 && (counted >= ctx.minRuns || attempts >= ctx.maxRuns)) {
    const tally = counts.pass || counts.other ? ` (in ${counts.bad} of ${plural(counted, 'run')})` : counts.bad > 1 ? ` (all ${counts.bad} runs)` : '';
    return result('bad', `${first('bad')}${tally}`);
  }
  if (counted >= ctx.minRuns) {
    if (counts.pass >= ctx.requiredPasses) {
      const tally = counts.pass === counted ? (counted === 1 ? '1 run' : `all ${counted} runs`) : `${counts.pass} of ${plural(counted, 'run')}`;
      return result('good', `${criterion.kind === 'boot' ? 'booted' : 'no crash with the title'}: ${tally}`);
    }
    if (counts.pass === 0 && counts.other > 0) return result('skip', `fails for another reason: ${first('other')}`);
  }
  if (attempts >= ctx.maxRuns) {
    return result('skip', `undecided after ${plural(attempts, 'run')}: ${counts.pass} passed of the ${ctx.requiredPasses} needed, ${counts.other} failed otherwise, ${counts.labError} lab errors`);
  }
  // The first request asks for what a good verdict needs (a batch at most);
  // later ones first complete the runs asked for, then add passes.
  const needed = Math.max(1, Math.min(ctx.requiredPasses - counts.pass, ctx.batchRuns ?? Infinity));
  const wanted = attempts === 0 ? Math.max(ctx.minRuns, needed) : counted < ctx.minRuns ? ctx.minRuns - counted : needed;
  const more = Math.min(ctx.maxRuns - attempts, wanted);
  if (attempts === 0) return result('undecided', 'not tested yet', more);
  if (counted < ctx.minRuns) return result('undecided', `${plural(counted, 'run')} of the ${ctx.minRuns} asked for`, more);
  return result('undecided', `${counts.pass} of the ${ctx.requiredPasses} passes needed to call it good`, more);
}
