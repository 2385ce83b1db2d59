import { decideNext, recordOutcome, startBisection } from '@pfnlab/bisect';
import { commitIds, crash, deterministicLab, measured, noBoot, pass, simulate, TITLE, type Lab } from './lab';

const IDS = commitIds(16);
const CRASH = `crash:"${TITLE}"`;

describe('endpoints that contradict the developer', () => {
  it('the bad endpoint is checked first, with 3 runs; all passing, it gets every run before it is called good', () => {
    const sim = simulate(startBisection({ commits: IDS, criterion: 'boot' }), deterministicLab(() => true));
    // 3 runs, then 3 more at a time up to maxRuns (10).
    expect(sim.asked).toEqual([15, 15, 15, 15]);
    expect(sim.lines.slice(0, 2)).toEqual([
      'step 1/≈5: verifying the bad endpoint c0ffee00000f, 3 runs (15 commits left)',
      'step 1/≈5: verifying the bad endpoint c0ffee00000f, 3 more runs: no failure in 3 runs yet; a bad endpoint gets 10 before it is called good (15 commits left)',
    ]);
    expect(sim.decision).toMatchObject({
      kind: 'cannot-bisect',
      reason: 'bad-endpoint-good',
      message: 'the bad endpoint c0ffee00000f does not show boot: booted: all 10 runs',
      candidates: [],
      steps: 1,
      runsSoFar: 10,
    });
  });

  it('the bad endpoint crashing with another title: the criterion does not match what the lab sees', () => {
    const sim = simulate(startBisection({ commits: IDS, criterion: CRASH }), deterministicLab(() => false, () => crash('WARNING in free_zone_device_folio')));
    expect(sim.asked).toEqual([15]);
    expect(sim.decision).toMatchObject({
      kind: 'cannot-bisect',
      reason: 'endpoint-untestable',
      message: `the bad endpoint c0ffee00000f cannot be tested against ${CRASH}: fails for another reason: crashed with another title: "WARNING in free_zone_device_folio"`,
    });
  });

  it('the good endpoint is bad: found out when the search reaches it, within the step bound', () => {
    const sim = simulate(startBisection({ commits: IDS, criterion: CRASH }), deterministicLab(() => false));
    expect(sim.asked).toEqual([15, 7, 3, 1, 0]);
    expect(sim.decision).toMatchObject({
      kind: 'cannot-bisect',
      reason: 'good-endpoint-bad',
      message: `the good endpoint c0ffee000000 shows ${CRASH} too: crashed with "${TITLE}"`,
      evidence: [{ commit: IDS[0], index: 0, verdict: 'bad', counts: { bad: 1, pass: 0, other: 0, labError: 0 } }],
      steps: 5,
    });
  });

  it('metric: the good endpoint is measured first; one that does not boot leaves no baseline', () => {
    const lab: Lab = (i, runs) => ({ runs: Array.from({ length: runs }, () => (i === 0 ? noBoot('silence after the handover') : measured('m', [1]))) });
    const sim = simulate(startBisection({ commits: IDS, criterion: 'metric:m>+10%' }), lab);
    expect(sim.asked).toEqual([0]);
    expect(sim.decision).toMatchObject({
      kind: 'cannot-bisect',
      reason: 'endpoint-untestable',
      message: 'the good endpoint c0ffee000000 cannot be measured, so there is no baseline: fails for another reason: no samples of m: silence after the handover',
    });
  });

  it('metric: a bad endpoint that is not slower is found out when the search reaches it', () => {
    const flat: Lab = (_, runs) => ({ runs: Array.from({ length: runs }, (_, k) => measured('m', [100 + (k % 5)])) });
    const sim = simulate(startBisection({ commits: IDS, criterion: 'metric:m>+10%' }), flat);
    expect(sim.asked).toEqual([0, 8, 12, 14, 15]);
    expect(sim.decision).toMatchObject({ kind: 'cannot-bisect', reason: 'bad-endpoint-good', steps: 5 });
    if (sim.decision.kind !== 'cannot-bisect') throw new Error('unreachable');
    expect(sim.decision.message).toMatch(/^the bad endpoint c0ffee00000f does not show metric:m>\+10%: median \+0\.0% of the good commit's, 95% CI \[-\d\.\d%, \+\d\.\d%\], 5 runs: not above \+10%$/);
  });

  it('a good commit newer than a bad one (outcomes recorded out of plan): not monotonic, with both', () => {
    let state = startBisection({ commits: IDS, criterion: 'boot' });
    state = recordOutcome(state, IDS[15], { runs: [noBoot(), noBoot(), noBoot()] });
    state = recordOutcome(state, IDS[3], { runs: [noBoot()] });
    state = recordOutcome(state, IDS[10], { runs: [pass()] });
    expect(decideNext(state)).toMatchObject({
      kind: 'cannot-bisect',
      reason: 'not-monotonic',
      message:
        'c0ffee00000a is good (booted: 1 run) but the older c0ffee000003 is bad (did not boot: kernel panic: Kernel panic - not syncing: Attempted to kill init!): ' +
        'the criterion does not change once in this range (a fix and a new break between them, or a history that is not one line)',
      evidence: [{ index: 3 }, { index: 10 }],
    });
  });

  it('two commits: the bad one verified, then the good one, then the answer', () => {
    const ids = commitIds(2);
    const sim = simulate(startBisection({ commits: ids, criterion: 'boot' }), deterministicLab((i) => i < 1, () => noBoot()));
    // 0 passes once, then 6 more times: 3 failures in 3 runs are what a failure firing 37% of the time gives 5% of the time.
    expect(sim.asked).toEqual([1, 0, 0]);
    expect(sim.runs).toEqual([3, 1, 6]);
    expect(sim.decision).toMatchObject({ kind: 'found', culprit: ids[1], steps: 2, lastGood: { reason: 'booted: all 7 runs' } });
  });
});
