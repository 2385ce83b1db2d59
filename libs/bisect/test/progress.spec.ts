import { describeDecision, describeState, startBisection, type BisectDecision } from '@pfnlab/bisect';
import { commitIds, deterministicLab, measured, noBoot, simulate, type Lab } from './lab';

const IDS = commitIds(16);

describe('progress: one line per state', () => {
  it('tells a whole bisection with a skipped commit, step by step', () => {
    const lab = deterministicLab((i) => i < 9, () => noBoot());
    const sim = simulate(startBisection({ commits: IDS, criterion: 'boot' }), (i, n, a) =>
      i === 7 ? { build: { status: 'FAIL', title: 'mm/sparse.c:812:2: error: expected ; before }' }, runs: [] } : lab(i, n, a),
    );
    expect(sim.lines).toEqual([
      'step 1/≈5: verifying the bad endpoint c0ffee00000f, 3 runs (15 commits left)',
      'step 2/≈5: testing c0ffee000007 (15 commits left)',
      // 7 did not build: one more step than planned.
      'step 3/≈6: testing c0ffee000006 (15 commits left)',
      // 6, off the middle, left 9 positions (6 good: 7..15), which can take 4 more halvings: the
      // estimate is the most the rest can take, and it comes down again when 10 splits the 9 evenly.
      'step 4/≈7: testing c0ffee00000a (9 commits left)',
      'step 5/≈6: testing c0ffee000008 (4 commits left)',
      'step 6/≈6: testing c0ffee000009 (2 commits left)',
      'step 6/≈6: confirming the last good commit c0ffee000008, 3 more runs: 1 of the 4 passes needed to call it good (1 commit left)',
      'found in 6 steps: c0ffee000009 is the first bad commit (did not boot: kernel panic: Kernel panic - not syncing: Attempted to kill init!); ' +
        'last good c0ffee000008 (booted: all 4 runs)',
    ]);
  });

  it('a metric bisection starts by measuring the baseline', () => {
    const state = startBisection({ commits: IDS, criterion: 'metric:m>+10%' });
    expect(describeState(state)).toBe('step 1/≈5: measuring the good endpoint c0ffee000000 as the baseline, 10 runs (15 commits left)');
    const lab: Lab = (_, runs) => ({ runs: Array.from({ length: runs }, (_, k) => measured('m', [100 + k])) });
    const sim = simulate(state, lab);
    expect(sim.lines[1]).toBe('step 2/≈5: testing c0ffee000008, 5 runs (15 commits left)');
  });

  it('says why a bisection cannot go on', () => {
    const d: BisectDecision = {
      kind: 'cannot-bisect',
      reason: 'budget-exhausted',
      message: 'the budget of 3 steps is spent: the first bad commit is one of 4 (c0ffee00000c..c0ffee00000f)',
      candidates: [],
      candidateCount: 4,
      evidence: [],
      steps: 3,
      runsSoFar: 5,
    };
    expect(describeDecision(d)).toBe('cannot be bisected after 3 steps: the budget of 3 steps is spent: the first bad commit is one of 4 (c0ffee00000c..c0ffee00000f)');
    expect(describeDecision({ ...d, steps: 1 })).toMatch(/^cannot be bisected after 1 step: /);
  });

  it('shortens full object names to 12 hex digits, as Fixes: tags do', () => {
    const full = ['a'.repeat(40), 'b'.repeat(40)];
    expect(describeState(startBisection({ commits: full, criterion: 'boot' }))).toBe('step 1/≈2: verifying the bad endpoint bbbbbbbbbbbb, 3 runs (1 commit left)');
  });
});
