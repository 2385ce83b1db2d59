import { decideNext, recordOutcome, startBisection } from '@pfnlab/bisect';
import { SeededRandom } from '@pfnlab/stats';
import { commitIds, crash, pass, simulate, TITLE, type Lab } from './lab';

const IDS = commitIds(16);
const CRASH = `crash:"${TITLE}"`;

/** Bad commits (from firstBad on) crash on every second run: pass, crash, pass, crash... */
function alternating(firstBad: number, perCall = Infinity): Lab {
  return (i, runs, already) => ({
    build: { status: 'PASS' },
    runs: Array.from({ length: Math.min(runs, perCall) }, (_, k) => (i >= firstBad && (already + k) % 2 === 1 ? crash() : pass())),
  });
}

describe('a flaky crash criterion', () => {
  it('measures the rate on the bad endpoint and asks every good verdict for enough passes', () => {
    const sim = simulate(startBisection({ commits: IDS, criterion: CRASH }), alternating(9));
    expect(sim.asked).toEqual([15, 7, 11, 9, 8, 8]);
    // 15: 1 crash in 3 runs, rate 1/3: (2/3)^8 ≤ 0.05, 8 passes for good.
    // 11: 4 crashes in 8: pooled rate 5/11, 5 passes. 9: 2 in 5: pooled 7/16, 6 passes.
    // 8, the culprit's parent: the 95% lower bound of 7/16 is 0.227, which asks 12 passes: the cap, 10.
    expect(sim.runs).toEqual([3, 8, 8, 5, 6, 4]);
    expect(sim.decision).toMatchObject({
      kind: 'found',
      culprit: IDS[9],
      lastGood: { index: 8, reason: 'no crash with the title: all 10 runs' },
      firstBad: { index: 9, reason: `crashed with "${TITLE}" (in 2 of 5 runs)` },
      steps: 5,
      runsSoFar: 34,
    });
    expect(sim.lines.at(-2)).toBe(
      'step 5/≈5: confirming the last good commit c0ffee000008, 4 more runs: 6 of the 10 passes needed to call it good (1 commit left)',
    );
  });

  it('asks again for the runs still missing when a batch reports in parts', () => {
    const sim = simulate(startBisection({ commits: IDS, criterion: CRASH }), alternating(9, 2));
    expect(sim.lines.slice(0, 5)).toEqual([
      'step 1/≈5: verifying the bad endpoint c0ffee00000f, 3 runs (15 commits left)',
      'step 1/≈5: verifying the bad endpoint c0ffee00000f, 1 more run: 2 runs of the 3 asked for (15 commits left)',
      'step 2/≈5: testing c0ffee000007, 8 runs (15 commits left)',
      // Still one of the 15: a commit under test narrows nothing until it is decided.
      'step 2/≈5: 6 more runs of c0ffee000007: 2 of the 8 passes needed to call it good (15 commits left)',
      'step 2/≈5: 4 more runs of c0ffee000007: 4 of the 8 passes needed to call it good (15 commits left)',
    ]);
    expect(sim.decision).toMatchObject({ kind: 'found', culprit: IDS[9], steps: 5 });
  });

  it('raises the passes a good verdict needs when a bad commit turns out flaky, and re-tests the good ones', () => {
    let state = startBisection({ commits: IDS, criterion: CRASH });
    state = recordOutcome(state, IDS[15], { runs: [crash(), crash(), crash()] });
    expect(decideNext(state)).toMatchObject({ kind: 'test', index: 7, runs: 1, purpose: 'bisect' });
    state = recordOutcome(state, IDS[7], { runs: [pass()] });
    expect(decideNext(state)).toMatchObject({ kind: 'test', index: 11, runs: 1 });
    // Two runs came back for 11 (the lab ran one more than asked): a pass, then the crash.
    state = recordOutcome(state, IDS[11], { runs: [pass(), crash()] });
    // Pooled rate 4/5: (1/5)^2 ≤ 0.05, 2 passes needed; 7 has 1.
    expect(decideNext(state)).toMatchObject({ kind: 'test', index: 7, runs: 1, runsDone: 1, purpose: 'more-runs', reason: '1 of the 2 passes needed to call it good' });
    state = recordOutcome(state, IDS[7], { runs: [crash()] });
    // 7 crashed on its second run: it is bad now, and the search goes below it. Pooled rate 5/7: 3 passes.
    expect(decideNext(state)).toMatchObject({ kind: 'test', index: 3, runs: 3, commitsLeft: 7 });
  });

  // Without the parent's confirmation, seed 12 named commit 14: 13 passed the 3 runs asked of it
  // (0.4^3 = 6%); confirming 13 with 7 more runs caught the crash and the search went below it,
  // one step over the clean bound.
  it('finds the culprit at every position with a crash that fires 60% of the time (seeded)', () => {
    const results: Array<[number, string, number, number]> = [];
    for (let f = 1; f < 16; f++) {
      const random = new SeededRandom(f);
      const lab: Lab = (i, runs) => ({ runs: Array.from({ length: runs }, () => (i >= f && random.uniform() < 0.6 ? crash() : pass())) });
      const sim = simulate(startBisection({ commits: IDS, criterion: CRASH }), lab);
      results.push([f, sim.decision.kind === 'found' ? String(sim.decision.index) : sim.decision.reason, sim.steps, sim.decision.runsSoFar]);
    }
    expect(results.map((r) => r[1])).toEqual(results.map((r) => String(r[0])));
    expect(results.map((r) => r[2])).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 5, 5, 5]);
    expect(results.map((r) => r[3])).toEqual([26, 28, 31, 21, 34, 22, 11, 15, 41, 20, 17, 29, 34, 22, 37]);
  });
});
