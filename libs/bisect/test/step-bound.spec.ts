import { startBisection, stepBound } from '@pfnlab/bisect';
import { SeededRandom } from '@pfnlab/stats';
import { commitIds, crash, deterministicLab, measured, noBoot, simulate, TITLE, type Lab } from './lab';

/*
 * The acceptance bound: a clean range of n commits is decided in at
 * most ceil(log2 n) + 1 steps, the endpoint check included (one step = one
 * commit built and tested). For n = 16: 5.
 */

const N = 16;
const IDS = commitIds(N);
const POSITIONS = Array.from({ length: N - 1 }, (_, k) => k + 1); // the first bad commit: 1..15 (0 is the good endpoint)
const METRIC = 'hotplug-add-remove.add_visible';

/** Noisy hot-add times: log-normal around 100 ms (σ 0.05), `slow` times that from the first bad commit on; 3 iterations a run. */
function metricLab(firstBad: number, seed: number, slow = 1.3, sigma = 0.05): Lab {
  const random = new SeededRandom(seed);
  return (i, runs) => ({
    build: { status: 'PASS' },
    runs: Array.from({ length: runs }, () => measured(METRIC, [0, 1, 2].map(() => 100 * (i >= firstBad ? slow : 1) * Math.exp(sigma * random.normal())))),
  });
}

describe('a clean 16-commit range, the first bad commit at every position', () => {
  it('states the bound: 5 steps for 16 commits', () => {
    expect(stepBound(N)).toBe(5);
  });

  // Runs: 3 verify the bad endpoint; the failure is then deterministic, 1 run per step; before the
  // culprit is named its parent passes as often as the pessimistic rate asks. That rate's 95% lower
  // bound from k failures in k runs is 0.05^(1/k): k = 3 (every inner commit good) asks 7 passes,
  // 4 asks 5, 5 or 6 ask 4.
  const PARENT_PASSES = [4, 4, 4, 4, 4, 4, 5, 4, 4, 4, 5, 4, 5, 5, 7];
  it.each(POSITIONS)('boot: finds commit %i in exactly 5 steps, its neighbours as evidence', (f) => {
    const sim = simulate(startBisection({ commits: IDS, criterion: 'boot' }), deterministicLab((i) => i < f, () => noBoot()));
    expect(sim.decision).toMatchObject({
      kind: 'found',
      culprit: IDS[f],
      index: f,
      lastGood: { commit: IDS[f - 1], verdict: 'good', reason: `booted: all ${PARENT_PASSES[f - 1]} runs` },
      firstBad: { commit: IDS[f], verdict: 'bad' },
      steps: 5,
      runsSoFar: 3 + 3 + PARENT_PASSES[f - 1],
    });
    expect(sim.steps).toBeLessThanOrEqual(stepBound(N));
  });

  it.each(POSITIONS)('crash: finds commit %i in exactly 5 steps', (f) => {
    const sim = simulate(startBisection({ commits: IDS, criterion: `crash:"${TITLE}"` }), deterministicLab((i) => i < f));
    // The bad endpoint's evidence is its 3 verification runs.
    const reason = f === 15 ? `crashed with "${TITLE}" (all 3 runs)` : `crashed with "${TITLE}"`;
    expect(sim.decision).toMatchObject({ kind: 'found', culprit: IDS[f], steps: 5, firstBad: { reason } });
  });

  // Runs: 10 for the baseline and 5 per step; with seed 1008 one good commit's first 5 runs gave an
  // interval straddling +10% ([-4.3%, +11.0%]) and it took a second batch.
  const METRIC_RUNS = [30, 30, 30, 30, 30, 30, 30, 35, 30, 30, 30, 30, 30, 30, 30];
  it.each(POSITIONS)('metric, seeded noise: finds a 30%% slowdown at commit %i in exactly 5 steps', (f) => {
    const sim = simulate(startBisection({ commits: IDS, criterion: `metric:${METRIC}>+10%` }), metricLab(f, 1000 + f));
    expect(sim.decision).toMatchObject({ kind: 'found', culprit: IDS[f], index: f, steps: 5, runsSoFar: METRIC_RUNS[f - 1] });
    if (sim.decision.kind !== 'found') throw new Error('unreachable');
    expect(sim.decision.firstBad.reason).toMatch(/^median \+\d\d\.\d% of the good commit's, 95% CI \[\+\d\d\.\d%, \+\d\d\.\d%\], 5 runs: above \+10%$/);
  });

  it('tests in the order of a binary search: bad endpoint first, the good one only when the answer rests on it', () => {
    const boot = (f: number) => simulate(startBisection({ commits: IDS, criterion: 'boot' }), deterministicLab((i) => i < f, () => noBoot())).asked;
    // The bad endpoint asked once for its 3 runs, then one commit per step, then the culprit's parent again to confirm it.
    expect(boot(1)).toEqual([15, 7, 3, 1, 0, 0]);
    expect(boot(2)).toEqual([15, 7, 3, 1, 2, 1]);
    expect(boot(9)).toEqual([15, 7, 11, 9, 8, 8]);
    expect(boot(15)).toEqual([15, 7, 11, 13, 14, 14]);
    // Metric: the good endpoint (the baseline) first, the bad one only when everything before it is good.
    const metric = (f: number) => simulate(startBisection({ commits: IDS, criterion: `metric:${METRIC}>+10%` }), metricLab(f, 7)).asked;
    expect(metric(1)).toEqual([0, 8, 4, 2, 1]);
    expect(metric(15)).toEqual([0, 8, 12, 14, 15]);
  });
});

describe('the bound for every range length from 2 to 65 (across the powers of two up to 64) and every position', () => {
  it('boot and crash: found, in at most ceil(log2 n) + 1 steps', () => {
    const over: string[] = [];
    let cases = 0;
    for (let n = 2; n <= 65; n++) {
      const ids = commitIds(n);
      for (let f = 1; f < n; f++) {
        for (const criterion of ['boot', `crash:"${TITLE}"`]) {
          const sim = simulate(startBisection({ commits: ids, criterion }), deterministicLab((i) => i < f, () => (criterion === 'boot' ? noBoot() : crash())));
          cases++;
          if (sim.decision.kind !== 'found' || sim.decision.index !== f || sim.steps > stepBound(n)) over.push(`n=${n} f=${f} ${criterion}: ${sim.lines.at(-1)}`);
        }
      }
    }
    expect(cases).toBe(2 * ((64 * 65) / 2));
    expect(over).toEqual([]);
  });

  it('metric: found, in at most ceil(log2 n) + 1 steps (n = 2 to 12, seeded noise)', () => {
    const over: string[] = [];
    for (let n = 2; n <= 12; n++) {
      for (let f = 1; f < n; f++) {
        const sim = simulate(startBisection({ commits: commitIds(n), criterion: `metric:${METRIC}>+10%` }), metricLab(f, n * 100 + f));
        if (sim.decision.kind !== 'found' || sim.decision.index !== f || sim.steps > stepBound(n)) over.push(`n=${n} f=${f}: ${sim.lines.at(-1)}`);
      }
    }
    expect(over).toEqual([]);
  });
});
