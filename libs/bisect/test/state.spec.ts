import { BisectInputError, CriterionError, decideNext, recordOutcome, restoreState, startBisection, type BisectState } from '@pfnlab/bisect';
import { commitIds, crash, deterministicLab, measured, noBoot, pass, simulate, TITLE } from './lab';

const IDS = commitIds(16);

describe('startBisection', () => {
  it('keeps the canonical criterion and the resolved options', () => {
    const s = startBisection({ commits: IDS, criterion: `  crash:${TITLE}  ` });
    expect(s).toEqual({
      version: 1,
      commits: IDS,
      criterion: `crash:"${TITLE}"`,
      options: { maxRuns: 10, verifyRuns: 3, missRisk: 0.05, metricRuns: 5, baselineRuns: 10, alpha: 0.05, maxSteps: 15 },
      steps: [],
    });
    expect(startBisection({ commits: IDS, criterion: { kind: 'metric', metric: 'm', percent: 10 } }).criterion).toBe('metric:m>+10%');
  });

  it('refuses what cannot be bisected, naming the problem', () => {
    expect(() => startBisection({ commits: IDS.slice(0, 1), criterion: 'boot' })).toThrow('a bisection needs at least 2 commits (a good and a bad one), got 1');
    expect(() => startBisection({ commits: [IDS[0], 'v6.8'], criterion: 'boot' })).toThrow('commit 2 is "v6.8": commits are hex object names (7 to 64 of 0-9a-f)');
    expect(() => startBisection({ commits: [IDS[0], 'ABCDEF0123'], criterion: 'boot' })).toThrow(BisectInputError);
    expect(() => startBisection({ commits: [IDS[0], IDS[1], IDS[0]], criterion: 'boot' })).toThrow('commit c0ffee000000 appears twice: the list must be one line of history');
    expect(() => startBisection({ commits: 'c0ffee000000' as unknown as string[], criterion: 'boot' })).toThrow('commits must be a list, oldest (the good endpoint) first');
    expect(() => startBisection({ commits: IDS, criterion: 'crash:' })).toThrow(CriterionError);
    expect(() => startBisection({ commits: IDS, criterion: 'boot', options: { verifyRuns: 0 } })).toThrow(RangeError);
  });
});

describe('recordOutcome', () => {
  it('appends runs to a commit, replaces its build report, and leaves the old state alone', () => {
    const s0 = startBisection({ commits: IDS, criterion: 'boot' });
    const s1 = recordOutcome(s0, IDS[15], { build: { status: 'PASS' }, runs: [noBoot()] });
    const s2 = recordOutcome(s1, IDS[15], { runs: [noBoot(), pass()] });
    expect(s0.steps).toEqual([]);
    expect(s1.steps).toHaveLength(1);
    expect(s1.steps[0].runs).toHaveLength(1);
    expect(s2.steps).toEqual([{ commit: IDS[15], build: { status: 'PASS' }, runs: [noBoot(), noBoot(), pass()] }]);
  });

  it('keeps only the known fields of an outcome', () => {
    const s = recordOutcome(startBisection({ commits: IDS, criterion: 'boot' }), IDS[3], {
      runs: [{ verdict: 'PASS', runId: 'r-1', extra: 'dropped' } as never],
      build: { status: 'PASS', sha: 'x' } as never,
    });
    expect(s.steps[0]).toEqual({ commit: IDS[3], build: { status: 'PASS' }, runs: [{ verdict: 'PASS', runId: 'r-1' }] });
  });

  it('refuses outcomes that cannot be right, naming the field', () => {
    const s = startBisection({ commits: IDS, criterion: 'metric:m>+10%' });
    const refuse = (commit: string, outcome: unknown, message: string) => {
      expect(() => recordOutcome(s, commit, outcome as never)).toThrow(BisectInputError);
      expect(() => recordOutcome(s, commit, outcome as never)).toThrow(message);
    };
    refuse('deadbeef00', { runs: [] }, 'commit "deadbeef00" is not in this bisection\'s range');
    refuse(IDS[1], { runs: 'PASS' }, 'outcome of c0ffee000001: runs must be a list');
    refuse(IDS[1], { runs: [{ verdict: 'OK' }] }, 'outcome of c0ffee000001: run 1: verdict must be PASS, FAIL, ERROR, CANCELED or DONE, got "OK"');
    refuse(IDS[1], { runs: [{ verdict: 'FAIL', failedStep: 'reboot' }] }, 'run 1: failedStep "reboot" is not a run step');
    refuse(IDS[1], { runs: [pass(), { verdict: 'PASS', crashTitles: 'x' }] }, 'run 2: crashTitles must be a list');
    refuse(IDS[1], { runs: [{ verdict: 'PASS', metrics: { m: [1, NaN] } }] }, 'run 1: metrics: "m" value 2 is NaN, not a finite number');
    refuse(IDS[1], { runs: [{ verdict: 'PASS', metrics: { m: [Infinity] } }] }, 'value 1 is Infinity, not a finite number');
    refuse(IDS[1], { runs: [{ verdict: 'PASS', metrics: { m: '1' } }] }, '"m" must be a list of numbers');
    refuse(IDS[1], { runs: [{ verdict: 'PASS', reachedUserspace: 'yes' }] }, 'reachedUserspace must be true or false');
    refuse(IDS[1], { build: { status: 'OK' }, runs: [] }, 'outcome of c0ffee000001: build status must be PASS, FAIL or ERROR, got "OK"');
    refuse(IDS[1], { runs: [{ verdict: 'PASS', runId: '' }] }, 'runId must be text of 1 to 100 characters');
    refuse(IDS[1], null, 'outcome of c0ffee000001 must be an object');
  });

  it('treats a metric named __proto__ as a name', () => {
    const s = startBisection({ commits: IDS, criterion: 'metric:__proto__>+10%' });
    const r = recordOutcome(s, IDS[0], { runs: [JSON.parse('{"verdict":"PASS","metrics":{"__proto__":[5]}}')] });
    expect(r.steps[0].runs[0].metrics!['__proto__']).toEqual([5]);
    expect(JSON.parse(JSON.stringify(r)).steps[0].runs[0].metrics).toEqual(JSON.parse('{"__proto__":[5]}'));
  });
});

describe('JSON state: store, restore, resume', () => {
  it('resumes from its JSON at every point of a bisection with the same decisions and the same end', () => {
    const lab = deterministicLab((i) => i < 6, () => crash());
    const unbuildable = (i: number) => i === 7;
    const full = simulate(startBisection({ commits: IDS, criterion: `crash:"${TITLE}"` }), (i, n, a) =>
      unbuildable(i) ? { build: { status: 'FAIL', title: 'error' }, runs: [] } : lab(i, n, a),
    );
    // Replay, going through JSON before every decision, as a server that restarts each time would.
    let state: BisectState = startBisection({ commits: IDS, criterion: `crash:"${TITLE}"` });
    const lines: unknown[] = [];
    for (;;) {
      const restored = restoreState(JSON.parse(JSON.stringify(state)));
      expect(restored).toEqual(state);
      const d = decideNext(restored);
      expect(d).toEqual(decideNext(state));
      lines.push(d);
      if (d.kind !== 'test') break;
      state = recordOutcome(restored, d.commit, unbuildable(d.index) ? { build: { status: 'FAIL', title: 'error' }, runs: [] } : lab(d.index, d.runs, 0));
    }
    expect(lines.at(-1)).toEqual(full.decision);
    expect(full.decision).toMatchObject({ kind: 'found', culprit: IDS[6] });
  });

  it('a metric state round-trips with its samples', () => {
    let s = startBisection({ commits: IDS, criterion: 'metric:m>+10%' });
    s = recordOutcome(s, IDS[0], { runs: [40, 41, 42, 43, 44, 45, 46, 47, 48, 49].map((v) => measured('m', [v, v + 1])) });
    expect(restoreState(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(decideNext(s)).toMatchObject({ kind: 'test', index: 8, runs: 5, purpose: 'bisect' });
  });

  it('refuses a stored state that is not one, naming the problem', () => {
    const good = JSON.parse(JSON.stringify(recordOutcome(startBisection({ commits: IDS, criterion: 'boot' }), IDS[15], { runs: [noBoot()] })));
    const refuse = (patch: (s: any) => void, message: string) => {
      const s = JSON.parse(JSON.stringify(good));
      patch(s);
      expect(() => restoreState(s)).toThrow(BisectInputError);
      expect(() => restoreState(s)).toThrow(message);
    };
    expect(() => restoreState('{}')).toThrow('a bisection state must be an object');
    refuse((s) => (s.version = 2), 'bisection state version 2 is not supported (this pfnlab reads version 1)');
    refuse((s) => (s.criterion = 'metric:x>+0%'), 'stored criterion: the threshold +0% is out of range');
    refuse((s) => delete s.options.maxRuns, 'stored options lack maxRuns');
    refuse((s) => (s.options.maxSteps = 99), 'stored options: maxSteps must be an integer from 1 to 16, got 99');
    refuse((s) => (s.commits[3] = 'zz'), 'commit 4 is "zz"');
    refuse((s) => (s.steps[0].commit = 'abcdef0123'), 'stored step 1 names a commit outside the range');
    refuse((s) => s.steps.push(s.steps[0]), 'stored step 2 repeats commit c0ffee00000f');
    refuse((s) => (s.steps[0].runs[0].verdict = 'MAYBE'), 'stored step 1: run 1: verdict must be PASS, FAIL, ERROR, CANCELED or DONE, got "MAYBE"');
    refuse((s) => (s.steps = {}), 'stored steps must be a list');
  });
});
