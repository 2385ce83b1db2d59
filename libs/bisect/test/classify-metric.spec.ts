import { classifyBaseline, classifyMetricStep, classifyRun, parseCriterion, type RunOutcome } from '@pfnlab/bisect';
import { labError, measured, noBoot } from './lab';

const M = 'hotplug-add-remove.add_visible';
const CRITERION = parseCriterion(`metric:${M}>+10%`) as Extract<ReturnType<typeof parseCriterion>, { kind: 'metric' }>;
// Ten hot-add times (ms) of a good kernel (libs/stats' test data), and the same spread again (A/A).
const BASE = [40.1, 41.7, 39.8, 43.2, 40.9, 42.4, 41.1, 39.5, 44.0, 40.3];
const BASE_AGAIN = [41.3, 40.0, 42.8, 39.9, 41.5, 40.6, 43.5, 40.2, 41.9, 39.7];
const times = (k: number, xs = BASE) => xs.map((x) => Number((x * k).toFixed(3)));
const runsOf = (values: number[]): RunOutcome[] => values.map((v) => measured(M, [v]));
const CTX = { requiredPasses: 1, minRuns: 1, maxRuns: 20, baseline: BASE, batchRuns: 5, alpha: 0.05 };
// The intervals in the reasons are libs/stats' percentile bootstrap with its default seed (1): the
// same samples always give the same interval.

describe('classifyRun: metric', () => {
  it("takes the run's median as its sample; no samples is another reason", () => {
    expect(classifyRun(CRITERION, measured(M, [41, 400, 40]))).toEqual({ kind: 'pass', reason: 'measured', sample: 41 });
    // A FAIL that measured counts (a WARN in every iteration may be the slowdown itself).
    expect(classifyRun(CRITERION, measured(M, [40, 42], { verdict: 'FAIL', failedStep: 'boot', reason: 'booted, but the kernel reported: WARNING in x' })).sample).toBe(41);
    expect(classifyRun(CRITERION, measured('other_metric', [1]))).toEqual({ kind: 'other', reason: `no samples of ${M}` });
    expect(classifyRun(CRITERION, measured(M, []))).toEqual({ kind: 'other', reason: `no samples of ${M}` });
    expect(classifyRun(CRITERION, noBoot('silence'))).toEqual({ kind: 'other', reason: `no samples of ${M}: silence` });
    expect(classifyRun(CRITERION, { ...measured(M, [40]), verdict: 'ERROR' }).kind).toBe('lab-error');
  });
});

describe('classifyMetricStep: against the good endpoint, threshold +10%', () => {
  it('bad: a 20% slowdown, the whole interval above +10%', () => {
    const c = classifyMetricStep(CRITERION, { build: { status: 'PASS' }, runs: runsOf(times(1.2)) }, CTX);
    expect(c).toMatchObject({ verdict: 'bad', moreRuns: 0, counts: { bad: 0, pass: 10, other: 0, labError: 0 } });
    expect(c.reason).toBe("median +20.0% of the good commit's, 95% CI [+14.8%, +25.5%], 10 runs: above +10%");
    expect(c.comparison!.ratio).toBeCloseTo(1.2, 10);
  });

  it('good: the same kernel again, the whole interval below +10%', () => {
    const c = classifyMetricStep(CRITERION, { runs: runsOf(BASE_AGAIN) }, CTX);
    expect(c.verdict).toBe('good');
    expect(c.reason).toBe("median -0.1% of the good commit's, 95% CI [-4.6%, +3.7%], 10 runs: not above +10%");
  });

  it('undecided: a 10% slowdown straddles the threshold; another batch, and a skip at maxRuns', () => {
    const c = classifyMetricStep(CRITERION, { runs: runsOf(times(1.1)) }, CTX);
    expect(c).toMatchObject({ verdict: 'undecided', moreRuns: 5 });
    expect(c.reason).toBe("median +10.0% of the good commit's, 95% CI [+5.3%, +15.1%], 10 runs: the interval straddles +10%");
    const capped = classifyMetricStep(CRITERION, { runs: runsOf([...times(1.1), ...times(1.1, BASE_AGAIN)]) }, CTX);
    expect(capped.verdict).toBe('skip');
    expect(capped.reason).toMatch(/^undecided after 20 runs: median \+\d+\.\d% of the good commit's, 95% CI \[\+\d+\.\d%, \+\d+\.\d%\], 20 runs: the interval straddles \+10%$/);
    // The last batch is cut to what maxRuns leaves.
    expect(classifyMetricStep(CRITERION, { runs: runsOf(times(1.1)) }, { ...CTX, maxRuns: 12 }).moreRuns).toBe(2);
  });

  it('undecided: too few samples for an interval', () => {
    const c = classifyMetricStep(CRITERION, { runs: runsOf([48, 49]) }, CTX);
    expect(c).toMatchObject({ verdict: 'undecided', moreRuns: 5, reason: '2 sample(s) in the candidate: at least 3 per side are needed' });
    expect(classifyMetricStep(CRITERION, { runs: [] }, CTX)).toMatchObject({ verdict: 'undecided', reason: 'not tested yet', moreRuns: 5 });
  });

  it('skip: does not build, fails otherwise, the lab failed, or no ratio', () => {
    expect(classifyMetricStep(CRITERION, { build: { status: 'FAIL', title: 'error: x' }, runs: [] }, CTX)).toMatchObject({ verdict: 'skip', reason: 'does not build: error: x' });
    expect(classifyMetricStep(CRITERION, { runs: [noBoot('silence after the handover')] }, CTX)).toMatchObject({
      verdict: 'skip',
      reason: `fails for another reason: no samples of ${M}: silence after the handover`,
    });
    expect(classifyMetricStep(CRITERION, { runs: [labError(), labError()] }, CTX).verdict).toBe('skip');
    const zero = classifyMetricStep(CRITERION, { runs: runsOf([1, 2, 3, 4, 5]) }, { ...CTX, baseline: [0, 0, 0, 0, 0] });
    expect(zero).toMatchObject({ verdict: 'skip' });
    expect(zero.reason).toMatch(/^no ratio to the good commit: the baseline median is 0, so no ratio \(candidate median 3\); p /);
  });

  it('counts the measuring runs of a commit that also failed some, and says so', () => {
    const c = classifyMetricStep(CRITERION, { runs: [...runsOf(times(1.2)), noBoot('silence')] }, CTX);
    expect(c.verdict).toBe('bad');
    expect(c.reason).toBe(`median +20.0% of the good commit's, 95% CI [+14.8%, +25.5%], 10 runs: above +10%; 1 run failed otherwise (no samples of ${M}: silence)`);
  });

  it('refuses to compare without a baseline', () => {
    expect(() => classifyMetricStep(CRITERION, { runs: [] }, { ...CTX, baseline: undefined })).toThrow('a metric step needs the good endpoint samples as its baseline');
  });
});

describe('classifyBaseline: the good endpoint of a metric bisection', () => {
  const ctx = { baselineRuns: 10, minRuns: 3, maxRuns: 20 };
  it('is good with baselineRuns samples, and asks for what is missing', () => {
    expect(classifyBaseline(CRITERION, { runs: runsOf(BASE) }, ctx)).toMatchObject({ verdict: 'good', reason: 'baseline: median 41 over 10 runs', samples: BASE });
    expect(classifyBaseline(CRITERION, { runs: [] }, ctx)).toMatchObject({ verdict: 'undecided', reason: 'not tested yet', moreRuns: 10 });
    expect(classifyBaseline(CRITERION, { runs: [...runsOf([40, 41]), noBoot()] }, ctx)).toMatchObject({ verdict: 'undecided', reason: '2 of the 10 baseline runs', moreRuns: 8 });
  });

  it('at maxRuns, takes what it has if a comparison can use it; else no baseline', () => {
    const failing = Array.from({ length: 17 }, () => noBoot());
    expect(classifyBaseline(CRITERION, { runs: [...runsOf([40, 41, 42]), ...failing] }, ctx)).toMatchObject({ verdict: 'good', reason: 'baseline: median 41 over 3 runs' });
    expect(classifyBaseline(CRITERION, { runs: [...runsOf([40, 41]), ...failing, noBoot()] }, ctx)).toMatchObject({
      verdict: 'skip',
      reason: `only 2 runs measured ${M} in 20 runs`,
    });
  });

  it('waits for minRuns runs before calling a failing good endpoint unmeasurable', () => {
    expect(classifyBaseline(CRITERION, { runs: [noBoot()] }, ctx)).toMatchObject({ verdict: 'undecided', moreRuns: 10 });
    expect(classifyBaseline(CRITERION, { runs: [noBoot(), noBoot(), noBoot()] }, ctx).verdict).toBe('skip');
  });
});
