import { decide, matchesTarget, type Decision, type DecisionInput, type QueuedRun, type SchedulingMachine } from '@pfnlab/scheduling';
import { SeededRandom } from '@pfnlab/stats';
import { machine, MINUTE, NOW, run } from './fixtures';
import { simulate, type SimSubmission } from './simulation';

const pairs = (d: Decision) => d.assignments.map((a) => `${a.runId}->${a.machine}`);
const at = (machines: SchedulingMachine[], runs: QueuedRun[]): DecisionInput => ({ now: NOW, machines, runs });

describe('decide: health', () => {
  it('never chooses a bad, maintenance or retired machine, even when it is the only free match: the run waits for the leased one', () => {
    const machines = [
      machine('tx2-01', 'arm64', { health: 'bad' }),
      machine('tx2-02', 'arm64', { health: 'maintenance' }),
      machine('tx2-03', 'arm64', { health: 'retired' }),
      machine('tx2-04', 'arm64', { leasedBy: 'bob' }),
    ];
    expect(decide(at(machines, [run('r1', 'arm64')]))).toEqual({
      assignments: [],
      impossible: [],
      waiting: [{ runId: 'r1', effectivePriority: 50, reason: 'the one machine that matches is in use' }],
    });
  });

  it('reports at once a run that no machine in service could ever take, with the reason, and assigns the rest', () => {
    const machines = [machine('tx2-01', 'arm64', { tags: ['cxl'], health: 'maintenance' }), machine('tx2-02', 'arm64')];
    const d = decide(at(machines, [run('r2', 'arm64', { selector: { tags: ['cxl'] } }), run('r1', 'arm64')]));
    expect(pairs(d)).toEqual(['r1->tx2-02']);
    expect(d.impossible).toEqual([
      { runId: 'r2', reason: 'no machine can take it: selector (arch arm64, tags cxl): no machine in service has tag cxl; tx2-01 matches but is in maintenance' },
    ]);
    expect(d.waiting).toEqual([]);
  });

  it('uses unknown machines, after good ones of the same fit', () => {
    const machines = [machine('a-01', 'x86_64', { health: 'unknown' }), machine('b-01', 'x86_64')];
    expect(pairs(decide(at(machines, [run('r1', 'x86_64')])))).toEqual(['r1->b-01']);
    expect(pairs(decide(at(machines, [run('r1', 'x86_64'), run('r2', 'x86_64')])))).toEqual(['r1->b-01', 'r2->a-01']);
  });
});

describe('decide: aging', () => {
  const one = [machine('x86-01', 'x86_64')];
  const fresh75 = run('high', 'x86_64', { priority: 75, user: 'bob' });
  const low = (waitedMinutes: number) => run('low', 'x86_64', { priority: 25, user: 'carol', waitedMinutes });

  it('a priority-25 run that waited more than 50 minutes is chosen before a fresh priority-75 one', () => {
    expect(decide(at(one, [fresh75, low(51)])).assignments).toEqual([{ runId: 'low', machine: 'x86-01', effectivePriority: 76, score: 76 }]);
  });

  it('after 49 minutes it is not; at exactly 50 the two are equal and the longer-waiting one goes first', () => {
    expect(decide(at(one, [fresh75, low(49)]))).toEqual({
      assignments: [{ runId: 'high', machine: 'x86-01', effectivePriority: 75, score: 75 }],
      impossible: [],
      waiting: [{ runId: 'low', effectivePriority: 74, reason: 'the one free machine that matches went to higher-ranked runs (1 match in all)' }],
    });
    expect(pairs(decide(at(one, [fresh75, low(50)])))).toEqual(['low->x86-01']);
  });

  it('with aging off, the low run loses however long it waited', () => {
    expect(pairs(decide(at(one, [fresh75, low(10_000)]), { agingPointsPerMinute: 0 }))).toEqual(['high->x86-01']);
  });

  it('equal effective priorities of one user go oldest first, then by run id', () => {
    const four = ['m1', 'm2', 'm3', 'm4'].map((n) => machine(n, 'x86_64'));
    const runs = [run('c', 'x86_64', { waitedMinutes: 5 }), run('b', 'x86_64', { waitedMinutes: 5 }), run('a', 'x86_64'), run('d', 'x86_64', { priority: 55 })];
    expect(decide(at(four, runs)).assignments.map((a) => a.runId)).toEqual(['b', 'c', 'd', 'a']);
  });
});

describe('decide: fair share', () => {
  // 10 machines, alice holds 5 (her whole fair share with two active users: 20 points off), 5 free.
  const lab = Array.from({ length: 10 }, (_, i) => machine(`x86-${String(i).padStart(2, '0')}`, 'x86_64', { leasedBy: i < 5 ? 'alice' : null }));

  it('between similar priorities, the user holding fewer machines goes first, even against an older run', () => {
    const d = decide(at(lab, [run('a1', 'x86_64', { waitedMinutes: 19 }), run('b1', 'x86_64', { user: 'bob' })]));
    expect(d.assignments).toEqual([
      { runId: 'b1', machine: 'x86-05', effectivePriority: 50, score: 50 },
      { runId: 'a1', machine: 'x86-06', effectivePriority: 69, score: 49 },
    ]);
  });

  it('not against a run more than 20 minutes older, nor across a whole priority step', () => {
    expect(decide(at(lab, [run('a1', 'x86_64', { waitedMinutes: 21 }), run('b1', 'x86_64', { user: 'bob' })])).assignments.map((a) => a.runId)).toEqual(['a1', 'b1']);
    expect(decide(at(lab, [run('a1', 'x86_64', { priority: 75 }), run('b1', 'x86_64', { user: 'bob' })])).assignments.map((a) => a.runId)).toEqual(['a1', 'b1']);
  });

  it('one pass over many free machines spreads them: the penalty grows with each machine handed out', () => {
    const free = Array.from({ length: 6 }, (_, i) => machine(`m${i}`, 'x86_64'));
    const runs = [
      ...Array.from({ length: 10 }, (_, i) => run(`a${i}`, 'x86_64', { waitedMinutes: 5 })),
      run('b0', 'x86_64', { user: 'bob' }),
      run('b1', 'x86_64', { user: 'bob' }),
    ];
    // alice's runs are 5 points ahead; a fair share is 3 machines, 20/3 points each.
    expect(decide(at(free, runs)).assignments.map((a) => [a.runId, a.score.toFixed(2)])).toEqual([
      ['a0', '55.00'],
      ['b0', '50.00'],
      ['a1', '48.33'],
      ['b1', '43.33'],
      ['a2', '41.67'],
      ['a3', '35.00'],
    ]);
  });

  it('a user with 1,000 runs queued an hour ago does not block another user\'s one run for long: it starts after 33 minutes', () => {
    // 10 machines, runs of 30 minutes, started 3 minutes apart, so one frees every 3 minutes.
    const machines = Array.from({ length: 10 }, (_, i) => machine(`x86-${i}`, 'x86_64'));
    const arrive = (t: number): SimSubmission[] => {
      const out: SimSubmission[] = [];
      if (t < 30 && t % 3 === 0) out.push({ run: { id: `warm${t}`, user: 'alice', arch: 'x86_64', target: { selector: {} }, priority: 50 }, minutes: 30 });
      if (t === 30) for (let i = 0; i < 1000; i++) out.push({ run: { id: `a${String(i).padStart(4, '0')}`, user: 'alice', arch: 'x86_64', target: { selector: {} }, priority: 50 }, minutes: 30 });
      if (t === 90) out.push({ run: { id: 'bob', user: 'bob', arch: 'x86_64', target: { selector: {} }, priority: 50 }, minutes: 30 });
      return out;
    };
    // alice's backlog is at the top of the scale (100) minus her full penalty (20): bob's run passes 80 after 30 minutes,
    // and the next machine frees at minute 33 of his wait.
    const fair = simulate({ machines, minutes: 400, arrive, until: 'bob' });
    expect(fair.started.get('bob')! - 90).toBe(33);
    // Without fair share it queues behind the whole backlog: alice's 1000th run starts at minute 30 + 999 * 3, bob's 3 minutes later.
    const unfair = simulate({ machines, minutes: 4000, arrive, until: 'bob', options: { fairSharePoints: 0 } });
    expect(unfair.started.get('bob')! - 90).toBe(2940);
  });
});

describe('decide: placement', () => {
  it('a run that could go anywhere leaves the only machine a picky run can use, even if that machine has fewer tags', () => {
    const machines = [machine('a-cxl', 'arm64', { tags: ['cxl'] }), machine('b-big', 'arm64', { tags: ['numa', 'big'] })];
    const runs = [run('any', 'arm64', { priority: 90 }), run('picky', 'arm64', { selector: { tags: ['cxl'] }, priority: 10 })];
    expect(pairs(decide(at(machines, runs)))).toEqual(['any->b-big', 'picky->a-cxl']);
  });

  it('counts how many runs need a machine: generic runs avoid the machine a pinned A/B run waits for', () => {
    const machines = ['m1', 'm2', 'm3'].map((n) => machine(n, 'x86_64'));
    const runs = [run('g1', 'x86_64', { priority: 80 }), run('g2', 'x86_64', { priority: 80 }), run('ab', 'x86_64', { pinnedMachine: 'm1' })];
    expect(pairs(decide(at(machines, runs)))).toEqual(['g1->m2', 'g2->m3', 'ab->m1']);
  });

  it('a higher-ranked run still takes the contested machine when it has no other', () => {
    const machines = [machine('a-cxl', 'arm64', { tags: ['cxl'] }), machine('b', 'arm64', { leasedBy: 'bob' })];
    const d = decide(at(machines, [run('any', 'arm64', { priority: 90 }), run('picky', 'arm64', { selector: { tags: ['cxl'] } })]));
    expect(pairs(d)).toEqual(['any->a-cxl']);
    expect(d.waiting).toEqual([{ runId: 'picky', effectivePriority: 50, reason: 'the one free machine that matches went to higher-ranked runs (1 match in all)' }]);
  });

  it('a pinned run goes only to its machine, and waits while it is leased', () => {
    const machines = [machine('m1', 'x86_64', { leasedBy: 'alice' }), machine('m2', 'x86_64')];
    const d = decide(at(machines, [run('ab', 'x86_64', { pinnedMachine: 'm1' })]));
    expect(d).toEqual({ assignments: [], impossible: [], waiting: [{ runId: 'ab', effectivePriority: 50, reason: 'the one machine that matches is in use' }] });
  });

  it('a lower-ranked run takes a machine the runs above it cannot use', () => {
    const machines = [machine('z15-01', 's390x'), machine('x86-01', 'x86_64', { leasedBy: 'bob' })];
    const d = decide(at(machines, [run('x', 'x86_64', { priority: 100 }), run('z', 's390x', { priority: 0 })]));
    expect(pairs(d)).toEqual(['z->z15-01']);
    expect(d.waiting.map((w) => w.runId)).toEqual(['x']);
  });

  it('a named target goes to that machine; the minimum memory picks the smallest machine large enough', () => {
    const machines = [machine('p9-01', 'ppc64le', { memoryMiB: 8192 }), machine('p9-02', 'ppc64le', { memoryMiB: 65536 }), machine('p9-03', 'ppc64le', { memoryMiB: 32768 })];
    expect(pairs(decide(at(machines, [run('n', 'ppc64le', { target: { machine: 'p9-02' } })])))).toEqual(['n->p9-02']);
    expect(pairs(decide(at(machines, [run('m', 'ppc64le', { selector: { minMemoryMiB: 16384 } })])))).toEqual(['m->p9-03']);
  });

  it('waiting reasons distinguish "all in use" from "taken by higher-ranked runs"', () => {
    const machines = [machine('a', 'arm64'), machine('b', 'arm64', { leasedBy: 'x' }), machine('c', 'arm64', { leasedBy: 'x' })];
    const d = decide(at(machines, [run('r1', 'arm64', { priority: 60 }), run('r2', 'arm64'), run('r3', 'arm64', { target: { machine: 'b' } })]));
    expect(d.waiting).toEqual([
      { runId: 'r2', effectivePriority: 50, reason: 'the one free machine that matches went to higher-ranked runs (3 match in all)' },
      { runId: 'r3', effectivePriority: 50, reason: 'the one machine that matches is in use' },
    ]);
    const d2 = decide(at(machines.map((m) => ({ ...m, leasedBy: 'x' })), [run('r1', 'arm64')]));
    expect(d2.waiting[0].reason).toBe('all 3 machines that match are in use');
  });
});

describe('decide: invariants on random labs (seeded)', () => {
  function randomCase(seed: number): DecisionInput {
    const rng = new SeededRandom(seed);
    const arches = ['x86_64', 'arm64', 's390x'] as const;
    const tags = ['cxl', 'numa', 'pmem'];
    const healths = ['good', 'good', 'good', 'unknown', 'bad', 'maintenance', 'retired'] as const;
    const machines = Array.from({ length: 5 + rng.int(30) }, (_, i) =>
      machine(`m${i}`, arches[rng.int(3)], { tags: tags.filter(() => rng.uniform() < 0.3), memoryMiB: 4096 * (1 + rng.int(8)), health: healths[rng.int(7)], leasedBy: rng.uniform() < 0.3 ? `u${rng.int(4)}` : null }),
    );
    const runs = Array.from({ length: 1 + rng.int(60) }, (_, i) => {
      const arch = arches[rng.int(3)];
      const kind = rng.uniform();
      return run(`r${i}`, arch, {
        user: `u${rng.int(4)}`,
        priority: rng.int(101),
        waitedMinutes: rng.int(120),
        ...(kind < 0.1 ? { target: { machine: `m${rng.int(40)}` } } : { selector: { tags: tags.filter(() => rng.uniform() < 0.15), minMemoryMiB: rng.uniform() < 0.3 ? 4096 * rng.int(9) + 1 : undefined } }),
        ...(kind > 0.95 ? { pinnedMachine: `m${rng.int(40)}` } : {}),
      });
    });
    return { now: NOW, machines, runs };
  }

  it('each machine at most once, only free in-service matching machines, every run accounted for once, no free machine left that a waiting run could use', () => {
    let assigned = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const input = randomCase(seed);
      const d = decide(input);
      const byName = new Map(input.machines.map((m) => [m.name, m]));
      const byId = new Map(input.runs.map((r) => [r.id, r]));
      expect(new Set(d.assignments.map((a) => a.machine)).size).toBe(d.assignments.length);
      const ids = [...d.assignments, ...d.impossible, ...d.waiting].map((x) => x.runId).sort();
      expect(ids).toEqual(input.runs.map((r) => r.id).sort());
      for (const a of d.assignments) {
        const m = byName.get(a.machine)!;
        expect([m.health === 'good' || m.health === 'unknown', m.leasedBy, matchesTarget(byId.get(a.runId)!, m)]).toEqual([true, null, true]);
      }
      const taken = new Set(d.assignments.map((a) => a.machine));
      const leftFree = input.machines.filter((m) => !taken.has(m.name) && m.leasedBy === null && (m.health === 'good' || m.health === 'unknown'));
      for (const w of d.waiting) expect(leftFree.filter((m) => matchesTarget(byId.get(w.runId)!, m)).map((m) => m.name)).toEqual([]);
      assigned += d.assignments.length;
    }
    expect(assigned).toBeGreaterThan(500);
  });

  it('is deterministic and independent of the order of its inputs', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const input = randomCase(seed);
      const rng = new SeededRandom(1000 + seed);
      const shuffle = <T>(xs: readonly T[]) => xs.map((x) => ({ x, k: rng.uniform() })).sort((a, b) => a.k - b.k).map((e) => e.x);
      const shuffled = { now: input.now, machines: shuffle(input.machines), runs: shuffle(input.runs) };
      expect(decide(shuffled)).toEqual(decide(input));
    }
  });
});

describe('decide: input checks', () => {
  it('refuses duplicate run ids, priorities outside 0..100, a non-finite clock', () => {
    const m = [machine('m', 'x86_64')];
    expect(() => decide(at(m, [run('r', 'x86_64'), run('r', 'x86_64')]))).toThrow('run id "r" appears twice');
    expect(() => decide(at(m, [run('r', 'x86_64', { priority: 101 })]))).toThrow('run r: priority must be within 0..100, got 101');
    expect(() => decide(at(m, [run('r', 'x86_64', { priority: NaN })]))).toThrow('run r: priority must be within 0..100, got NaN');
    expect(() => decide({ now: NaN, machines: m, runs: [] })).toThrow('now must be a finite number of ms, got NaN');
  });

  it('an empty queue or an empty lab decides nothing', () => {
    expect(decide(at([machine('m', 'x86_64')], []))).toEqual({ assignments: [], impossible: [], waiting: [] });
    expect(decide(at([], [run('r', 'x86_64')])).impossible).toEqual([{ runId: 'r', reason: 'no machine can take it: selector (arch x86_64): no machine is in service' }]);
  });
});
