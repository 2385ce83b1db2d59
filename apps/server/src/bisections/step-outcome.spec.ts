import { parseCriterion } from '@pfnlab/bisect';
import { stepBuild, stepOutcome, type StepRunRow } from './step-outcome';

const run = (o: Partial<StepRunRow> = {}): StepRunRow => ({
  id: 'r1', state: 'finished', verdict: 'PASS', verdictReason: 'booted', failedStep: null, milestones: [{ name: 'userspace-ready' }], crashTitles: [], ...o,
});

describe('stepBuild', () => {
  it('is PASS when any build of the commit passed, else FAIL, else ERROR, and undefined with no finished build', () => {
    expect(stepBuild([{ status: 'FAIL', title: 'error: x' }, { status: 'PASS', title: 'built bzImage' }])).toEqual({ status: 'PASS', title: 'built bzImage' });
    expect(stepBuild([{ status: 'ERROR', title: 'no toolchain' }, { status: 'FAIL', title: 'error: x' }])).toEqual({ status: 'FAIL', title: 'error: x' });
    expect(stepBuild([{ status: 'running', title: null }, { status: 'ERROR', title: null }])).toEqual({ status: 'ERROR' });
    expect(stepBuild([{ status: 'running', title: null }])).toBeUndefined();
    expect(stepBuild([])).toBeUndefined();
  });
});

describe('stepOutcome', () => {
  it('maps finished runs: verdict, failed step, user space reached, crash titles, reason', () => {
    const o = stepOutcome(parseCriterion('crash:"BUG: x"'), [{ status: 'PASS', title: 'built' }], [
      run(),
      run({ id: 'r2', verdict: 'FAIL', verdictReason: 'kernel crash: BUG: x', failedStep: 'boot', milestones: [], crashTitles: ['BUG: x'] }),
      run({ id: 'r3', state: 'queued', verdict: null }),
    ]);
    expect(o).toEqual({
      build: { status: 'PASS', title: 'built' },
      runs: [
        { runId: 'r1', verdict: 'PASS', failedStep: null, reachedUserspace: true, crashTitles: [], reason: 'booted' },
        { runId: 'r2', verdict: 'FAIL', failedStep: 'boot', reachedUserspace: false, crashTitles: ['BUG: x'], reason: 'kernel crash: BUG: x' },
      ],
    });
  });

  it('carries the metric values under the criterion\'s name only for metric criteria', () => {
    const metric = parseCriterion('metric:hotplug-offline-online.online>+10%');
    const o = stepOutcome(metric, [], [run({ metricValues: [3, 1, 2] }), run({ id: 'r2', metricValues: [] })]);
    expect(o.build).toBeUndefined();
    expect(o.runs[0].metrics).toEqual({ 'hotplug-offline-online.online': [3, 1, 2] });
    expect(o.runs[1].metrics).toBeUndefined();
    expect(stepOutcome(parseCriterion('boot'), [], [run({ metricValues: [1] })]).runs[0].metrics).toBeUndefined();
  });

  it('treats a finished run without a verdict as left out, and a null milestone list as no user space', () => {
    const o = stepOutcome(parseCriterion('boot'), [], [run({ verdict: null }), run({ id: 'r2', verdict: 'FAIL', failedStep: 'boot', milestones: null })]);
    expect(o.runs.map((r) => [r.runId, r.reachedUserspace])).toEqual([['r2', false]]);
  });
});
