import { compareSamples, median, MIN_SAMPLES } from '@pfnlab/stats';
import { buildSkip, countRuns, plural, type Classification, type ClassifyContext } from './classification';
import { metricThreshold, type Criterion } from './criterion';
import type { StepOutcome } from './outcome';
import { classifyRun } from './run-class';

/*
 * A metric criterion, `metric:NAME>+X%`: a commit is bad when its median is
 * more than X% above the good endpoint's, and good when it is not, each
 * shown with 95% confidence. libs/stats compares the samples (ratio of
 * medians, bootstrap interval, Mann-Whitney p); the threshold T = 1 + X/100
 * replaces stats' minimum effect:
 *
 * - bad: the whole interval is above T, and p < alpha (the same two
 *   conditions stats asks of a regression);
 * - good: the whole interval is at or below T;
 * - undecided: the interval straddles T, or there are too few samples for
 *   an interval: another batch of runs narrows it. After maxRuns it is a
 *   skip: this commit sits too close to the threshold to call either way.
 *
 * Symmetric on purpose: calling a bad commit good sends the search the
 * wrong way just as surely as the reverse.
 */

export function classifyMetricStep(criterion: Extract<Criterion, { kind: 'metric' }>, outcome: StepOutcome, ctx: ClassifyContext): Classification {
  const built = buildSkip(outcome.build);
  if (built) return built;
  if (!ctx.baseline) throw new RangeError('a metric step needs the good endpoint samples as its baseline');
  const { classes, counts, samples, attempts, early } = measured(criterion, outcome, ctx.minRuns);
  const base = { counts, samples };
  if (early) return { ...base, ...early };
  const batch = ctx.batchRuns ?? 5;
  const more = Math.min(batch, ctx.maxRuns - attempts);
  const undecided = (why: string): Classification =>
    attempts >= ctx.maxRuns
      ? { ...base, verdict: 'skip', reason: `undecided after ${plural(attempts, 'run')}: ${why}`, moreRuns: 0 }
      : { ...base, verdict: 'undecided', reason: why, moreRuns: more };
  if (samples.length === 0) {
    if (attempts === 0) return { ...base, verdict: 'undecided', reason: 'not tested yet', moreRuns: more };
    return undecided(`no run measured ${criterion.metric} yet`);
  }
  const alpha = ctx.alpha ?? 0.05;
  // minEffect 0: stats' own verdict is not used, only its interval and p-value.
  const cmp = compareSamples(ctx.baseline, samples, { alpha, minEffect: 0 });
  const withCmp = { ...base, comparison: cmp };
  if (cmp.verdict === 'no-ratio') return { ...withCmp, verdict: 'skip', reason: `no ratio to the good commit: ${cmp.reason}`, moreRuns: 0 };
  if (cmp.verdict === 'insufficient' || !cmp.ci || cmp.p === null) return { ...undecided(cmp.reason), comparison: cmp };
  const t = metricThreshold(criterion);
  const [lo, hi] = cmp.ci;
  const shown = `median ${pct(cmp.ratio!)} of the good commit's, 95% CI [${pct(lo)}, ${pct(hi)}], ${plural(samples.length, 'run')}`;
  const others = counts.other ? `; ${plural(counts.other, 'run')} failed otherwise (${classes.find((c) => c.kind === 'other')!.reason})` : '';
  if (lo > t && cmp.p < alpha) return { ...withCmp, verdict: 'bad', reason: `${shown}: above +${criterion.percent}%${others}`, moreRuns: 0 };
  if (hi <= t) return { ...withCmp, verdict: 'good', reason: `${shown}: not above +${criterion.percent}%${others}`, moreRuns: 0 };
  const why = lo > t ? `the interval is above +${criterion.percent}% but p ${cmp.p.toPrecision(2)} ≥ ${alpha}` : `the interval straddles +${criterion.percent}%`;
  return { ...undecided(`${shown}: ${why}`), comparison: cmp };
}

/**
 * The good endpoint of a metric bisection is the baseline of every
 * comparison, so "verifying" it means measuring it: it is good once it
 * has baselineRuns samples (or, at maxRuns, at least the 3 a comparison
 * needs), and a skip when it cannot be measured: then nothing can be
 * compared and the bisection cannot run.
 */
export function classifyBaseline(
  criterion: Extract<Criterion, { kind: 'metric' }>,
  outcome: StepOutcome,
  ctx: { baselineRuns: number; minRuns: number; maxRuns: number },
): Classification {
  const built = buildSkip(outcome.build);
  if (built) return built;
  const { counts, samples, attempts, early } = measured(criterion, outcome, ctx.minRuns);
  const base = { counts, samples };
  if (early) return { ...base, ...early };
  const good = (): Classification => ({
    ...base,
    verdict: 'good',
    reason: `baseline: median ${fmtNumber(median(samples))} over ${plural(samples.length, 'run')}`,
    moreRuns: 0,
  });
  if (samples.length >= ctx.baselineRuns) return good();
  if (attempts >= ctx.maxRuns) {
    if (samples.length >= MIN_SAMPLES) return good();
    return { ...base, verdict: 'skip', reason: `only ${plural(samples.length, 'run')} measured ${criterion.metric} in ${plural(attempts, 'run')}`, moreRuns: 0 };
  }
  const more = Math.min(ctx.baselineRuns - samples.length, ctx.maxRuns - attempts);
  return { ...base, verdict: 'undecided', reason: attempts ? `${samples.length} of the ${ctx.baselineRuns} baseline runs` : 'not tested yet', moreRuns: more };
}

/** The runs' samples, and the verdicts that need no comparison: lab errors only, or failures only. */
function measured(criterion: Extract<Criterion, { kind: 'metric' }>, outcome: StepOutcome, minRuns: number) {
  const classes = outcome.runs.map((r) => classifyRun(criterion, r));
  const counts = countRuns(classes);
  const samples = classes.filter((c) => c.kind === 'pass').map((c) => c.sample!);
  const attempts = outcome.runs.length;
  const counted = counts.pass + counts.other;
  let early: Pick<Classification, 'verdict' | 'reason' | 'moreRuns'> | null = null;
  if (counted === 0 && counts.labError > 0) {
    early = { verdict: 'skip', reason: `the lab failed every run (${plural(attempts, 'run')}): ${classes[0].reason}`, moreRuns: 0 };
  } else if (samples.length === 0 && counts.other > 0 && counted >= minRuns) {
    early = { verdict: 'skip', reason: `fails for another reason: ${classes.find((c) => c.kind === 'other')!.reason}`, moreRuns: 0 };
  }
  return { classes, counts, samples, attempts, early };
}

/** A ratio as people say it: "+23.4%", "-2.0%", "+inf". */
export function pct(ratio: number): string {
  if (ratio === Infinity) return '+inf';
  const p = (ratio - 1) * 100;
  return `${p >= 0 ? '+' : '-'}${Math.abs(p).toFixed(1)}%`;
}

function fmtNumber(x: number): string {
  return String(Number(x.toPrecision(4)));
}
