import { decideNext, recordOutcome, startBisection, type BisectState, type RunOutcome } from '@pfnlab/bisect';
import { remaining } from './bisection-view';
import { classifyTestedCommits } from './commit-verdicts';

const commits = Array.from({ length: 16 }, (_, i) => `c0ffee${i.toString(16).padStart(6, '0')}`);
const TITLE = 'BUG: unable to handle page fault in vmemmap_populate';
const crash: RunOutcome = { verdict: 'FAIL', failedStep: 'boot', crashTitles: [TITLE] };
const pass: RunOutcome = { verdict: 'PASS', reachedUserspace: true };

/** Runs a bisection to its end with commits >= `culprit` crashing, `unbuildable` not building. */
function bisect(culprit: number, unbuildable: number[]): BisectState {
  let state = startBisection({ commits, criterion: `crash:"${TITLE}"` });
  for (;;) {
    const d = decideNext(state);
    if (d.kind !== 'test') return state;
    const build = unbuildable.includes(d.index) ? { status: 'FAIL' as const, title: 'error: x' } : { status: 'PASS' as const };
    const runs = build.status === 'FAIL' ? [{ verdict: 'FAIL' as const, failedStep: 'deploy' as const }] : Array.from({ length: d.runs }, () => (d.index >= culprit ? crash : pass));
    state = recordOutcome(state, d.commit, { build, runs });
  }
}

describe('classifyTestedCommits', () => {
  it('agrees with the conclusion: the culprit is bad, its parent good, the unbuildable commit skipped', () => {
    const state = bisect(11, [7]);
    const d = decideNext(state);
    expect(d).toMatchObject({ kind: 'found', culprit: commits[11] });
    const cls = classifyTestedCommits(state);
    expect(cls.get(commits[11])).toMatchObject({ verdict: 'bad' });
    expect(cls.get(commits[10])).toMatchObject({ verdict: 'good' });
    expect(cls.get(commits[15])).toMatchObject({ verdict: 'bad', reason: `crashed with "${TITLE}" (all 3 runs)` });
    expect(cls.get(commits[7])).toEqual(expect.objectContaining({ verdict: 'skip', reason: 'does not build: error: x' }));
    expect([...cls.keys()].sort()).toEqual(state.steps.map((s) => s.commit).sort());
  });

  it('gives the remaining range between the newest good and the oldest bad commit, with skipped ones listed', () => {
    let state = startBisection({ commits, criterion: 'boot' });
    state = recordOutcome(state, commits[15], { build: { status: 'PASS' }, runs: [crash, crash, crash] });
    state = recordOutcome(state, commits[7], { build: { status: 'FAIL', title: 'error: x' }, runs: [] });
    state = recordOutcome(state, commits[6], { build: { status: 'PASS' }, runs: [pass] });
    const r = remaining(state, classifyTestedCommits(state));
    expect(r).toMatchObject({ lastGood: commits[6], firstBad: commits[15], count: 9, skipped: [commits[7]] });
    expect(r.candidates).toEqual(commits.slice(7, 16));
  });
});
