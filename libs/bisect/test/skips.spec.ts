import { decideNext, recordOutcome, startBisection, type StepOutcome } from '@pfnlab/bisect';
import { commitIds, crash, deterministicLab, labError, noBoot, simulate, TITLE, type Lab } from './lab';

const IDS = commitIds(16);
const BUILD_ERROR = 'mm/sparse-vmemmap.c:412:9: error: implicit declaration of function vmemmap_populate_compound_pages';

/** A deterministic lab where the commits in `unbuildable` do not compile. */
function labWith(firstBad: number, unbuildable: number[], bad = () => noBoot()): Lab {
  const runs = deterministicLab((i) => i < firstBad, bad);
  return (i, n, already): StepOutcome => (unbuildable.includes(i) ? { build: { status: 'FAIL', title: BUILD_ERROR }, runs: [] } : runs(i, n, already));
}

describe('skipped commits', () => {
  it('goes around an unbuildable commit in the middle and still finds the culprit, one step later', () => {
    const sim = simulate(startBisection({ commits: IDS, criterion: 'boot' }), labWith(9, [7]));
    // 7 (the middle) does not build; 6, the untested commit nearest the middle (older on a tie), replaces it.
    expect(sim.asked).toEqual([15, 7, 6, 10, 8, 9, 8]);
    expect(sim.decision).toMatchObject({ kind: 'found', culprit: IDS[9], lastGood: { index: 8 }, firstBad: { index: 9 }, steps: 6 });
    expect(sim.lines[2]).toBe('step 3/≈6: testing c0ffee000006 (15 commits left)');
  });

  it('skips a commit that fails for another reason: another crash title, a lab failure of every run', () => {
    const other: Lab = (i, n, already) =>
      i === 7 ? { build: { status: 'PASS' }, runs: [crash('WARNING in free_zone_device_folio')] } : i === 8 ? { runs: [labError(), labError()] } : deterministicLab((k) => k < 10)(i, n, already);
    const sim = simulate(startBisection({ commits: IDS, criterion: `crash:"${TITLE}"` }), other);
    expect(sim.asked).toEqual([15, 7, 6, 10, 8, 9, 9]);
    expect(sim.decision).toMatchObject({ kind: 'found', culprit: IDS[10], lastGood: { index: 9 }, firstBad: { index: 10 } });
  });

  it('cannot bisect when the culprit hides next to skipped commits, and lists the candidates as git bisect does', () => {
    const sim = simulate(startBisection({ commits: IDS, criterion: 'boot' }), labWith(7, [6, 7]));
    expect(sim.asked).toEqual([15, 7, 6, 8, 3, 5]);
    expect(sim.decision).toMatchObject({
      kind: 'cannot-bisect',
      reason: 'only-skipped-left',
      candidates: [IDS[6], IDS[7], IDS[8]],
      candidateCount: 3,
      steps: 6,
    });
    if (sim.decision.kind !== 'cannot-bisect') throw new Error('unreachable');
    expect(sim.decision.message).toBe(
      'there are only skipped commits left to test; the first bad commit could be any of: ' +
        `c0ffee000006 (skipped: does not build: ${BUILD_ERROR}), c0ffee000007 (skipped: does not build: ${BUILD_ERROR}), c0ffee000008`,
    );
    // The evidence: the last good (5), the skipped ones, the first bad (8).
    expect(sim.decision.evidence.map((e) => [e.index, e.verdict])).toEqual([
      [5, 'good'],
      [6, 'skip'],
      [7, 'skip'],
      [8, 'bad'],
    ]);
  });

  it('says so when the good endpoint itself cannot be tested and the culprit would rest on it', () => {
    const sim = simulate(startBisection({ commits: IDS, criterion: 'boot' }), labWith(1, [0]));
    expect(sim.asked).toEqual([15, 7, 3, 1, 0]);
    expect(sim.decision).toMatchObject({ kind: 'cannot-bisect', reason: 'only-skipped-left', candidates: [IDS[1]] });
    if (sim.decision.kind !== 'cannot-bisect') throw new Error('unreachable');
    expect(sim.decision.message).toBe(
      'there are only skipped commits left to test; the first bad commit could be any of: c0ffee000001. ' +
        `The good endpoint c0ffee000000 could not be tested either (does not build: ${BUILD_ERROR}), so it may be bad itself`,
    );
  });

  it('an unbuildable stretch: tries both sides of the middle, alternating outwards', () => {
    const sim = simulate(startBisection({ commits: IDS, criterion: 'boot' }), labWith(12, [5, 6, 7, 8, 9]));
    expect(sim.asked).toEqual([15, 7, 6, 8, 5, 9, 4, 10, 12, 11, 11]);
    expect(sim.decision).toMatchObject({ kind: 'found', culprit: IDS[12], steps: 10 });
  });

  it('ends when the step budget is spent, with the remaining range', () => {
    const sim = simulate(startBisection({ commits: IDS, criterion: 'boot', options: { maxSteps: 3 } }), labWith(13, []));
    expect(sim.asked).toEqual([15, 7, 11]);
    expect(sim.decision).toMatchObject({
      kind: 'cannot-bisect',
      reason: 'budget-exhausted',
      message: 'the budget of 3 steps is spent: the first bad commit is one of 4 (c0ffee00000c..c0ffee00000f)',
      candidates: [IDS[12], IDS[13], IDS[14], IDS[15]],
      candidateCount: 4,
      steps: 3,
    });
  });

  it('a budget spent on a long range lists at most 100 candidates, and counts them all', () => {
    const ids = commitIds(1000);
    let state = startBisection({ commits: ids, criterion: 'boot', options: { maxSteps: 1 } });
    state = recordOutcome(state, ids[999], { runs: [noBoot(), noBoot(), noBoot()] });
    const d = decideNext(state);
    expect(d).toMatchObject({ kind: 'cannot-bisect', reason: 'budget-exhausted', candidateCount: 999 });
    if (d.kind !== 'cannot-bisect') throw new Error('unreachable');
    expect(d.candidates).toHaveLength(100);
    expect(d.candidates[0]).toBe(ids[1]);
  });

  it('a lab error beside a real result is not a skip: the same steps as without it', () => {
    const clean = simulate(startBisection({ commits: IDS, criterion: 'boot' }), labWith(9, []));
    expect(clean.asked).toEqual([15, 7, 11, 9, 8, 8]);
    const withError: Lab = (i, n, already) => (i === 11 ? { runs: [labError(), noBoot()] } : labWith(9, [])(i, n, already));
    const sim = simulate(startBisection({ commits: IDS, criterion: 'boot' }), withError);
    expect(sim.asked).toEqual(clean.asked);
    expect(sim.decision).toMatchObject({ kind: 'found', culprit: IDS[9], runsSoFar: clean.decision.runsSoFar + 1 });
  });
});
