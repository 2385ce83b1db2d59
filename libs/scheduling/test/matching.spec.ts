import { ARCHES, PLATFORMS } from '@pfnlab/contracts';
import { describeTarget, explainImpossible, isInService, MachineIndex, matchesTarget, requirementOf, type SchedulingMachine } from '@pfnlab/scheduling';
import { SeededRandom } from '@pfnlab/stats';
import { machine, run } from './fixtures';

describe('matchesTarget', () => {
  const tx2 = machine('tx2-01', 'arm64', { tags: ['cxl', 'numa'], memoryMiB: 65536 });

  it('a selector matches on arch, platform, tags as a subset and minimum memory', () => {
    expect(matchesTarget(run('r', 'arm64'), tx2)).toBe(true);
    expect(matchesTarget(run('r', 'arm64', { selector: { arch: 'arm64', platform: 'thunderx2', tags: ['numa', 'cxl'], minMemoryMiB: 65536 } }), tx2)).toBe(true);
    expect(matchesTarget(run('r', 'arm64', { selector: { tags: ['cxl', 'pmem'] } }), tx2)).toBe(false);
    expect(matchesTarget(run('r', 'arm64', { selector: { minMemoryMiB: 65537 } }), tx2)).toBe(false);
    expect(matchesTarget(run('r', 'arm64', { selector: { platform: 'x86-server' } }), tx2)).toBe(false);
    expect(matchesTarget(run('r', 'x86_64'), tx2)).toBe(false);
  });

  it('a named target needs that machine and the job\'s arch; a pin needs the pinned machine on top of the target', () => {
    expect(matchesTarget(run('r', 'arm64', { target: { machine: 'tx2-01' } }), tx2)).toBe(true);
    expect(matchesTarget(run('r', 's390x', { target: { machine: 'tx2-01' } }), tx2)).toBe(false);
    expect(matchesTarget(run('r', 'arm64', { target: { machine: 'tx2-02' } }), tx2)).toBe(false);
    expect(matchesTarget(run('r', 'arm64', { pinnedMachine: 'tx2-01' }), tx2)).toBe(true);
    expect(matchesTarget(run('r', 'arm64', { pinnedMachine: 'tx2-02' }), tx2)).toBe(false);
    expect(matchesTarget(run('r', 'arm64', { pinnedMachine: 'tx2-01', selector: { tags: ['pmem'] } }), tx2)).toBe(false);
  });

  it('health and leases are not part of matching; only good and unknown are in service', () => {
    expect(matchesTarget(run('r', 'arm64'), { ...tx2, health: 'retired', leasedBy: 'bob' })).toBe(true);
    expect((['good', 'unknown', 'bad', 'maintenance', 'retired'] as const).map(isInService)).toEqual([true, true, false, false, false]);
  });

  it('normalizes requirements: tag order and duplicates do not matter', () => {
    expect(requirementOf(run('r', 'arm64', { selector: { tags: ['numa', 'cxl', 'numa'] } }))).toEqual({ arch: 'arm64', tags: ['cxl', 'numa'] });
  });
});

describe('MachineIndex.candidates', () => {
  it('gives exactly what a scan of every machine gives (seeded random machines and selectors)', () => {
    const rng = new SeededRandom(11);
    const pick = <T>(xs: readonly T[]) => xs[rng.int(xs.length)];
    const TAGS = ['cxl', 'numa', 'pmem', 'big', 'kvm'];
    const machines: SchedulingMachine[] = Array.from({ length: 300 }, (_, i) =>
      machine(`m${String(i).padStart(3, '0')}`, pick(ARCHES), { platform: pick(PLATFORMS), tags: TAGS.filter(() => rng.uniform() < 0.3), memoryMiB: 1024 * (1 + rng.int(64)) }),
    );
    const index = new MachineIndex([...machines].reverse());
    let nonEmpty = 0;
    for (let k = 0; k < 500; k++) {
      const arch = pick(ARCHES);
      const r = rng.uniform() < 0.1
        ? run(`r${k}`, arch, { target: { machine: `m${String(rng.int(320)).padStart(3, '0')}` } })
        : run(`r${k}`, arch, { selector: { platform: rng.uniform() < 0.5 ? pick(PLATFORMS) : undefined, tags: TAGS.filter(() => rng.uniform() < 0.2), minMemoryMiB: rng.uniform() < 0.5 ? 1024 * rng.int(64) + 1 : undefined } });
      const expected = machines.filter((m) => matchesTarget(r, m)).map((m) => m.name).sort();
      const got = index.candidates(requirementOf(r)).map((i) => index.machines[i].name);
      expect(got).toEqual(expected);
      if (got.length) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(100);
  });

  it('refuses two machines with one name', () => {
    expect(() => new MachineIndex([machine('a', 'arm64'), machine('a', 'x86_64')])).toThrow('machine name "a" appears twice');
  });
});

describe('describeTarget', () => {
  it('reads like the dispatcher\'s messages', () => {
    expect(describeTarget(run('r', 'arm64', { selector: { arch: 'arm64', platform: 'thunderx2', tags: ['numa', 'cxl'], minMemoryMiB: 8192 } }))).toBe('selector (arch arm64, platform thunderx2, tags cxl,numa, >= 8192 MiB)');
    expect(describeTarget(run('r', 's390x', { target: { machine: 'z15-01' } }))).toBe('machine "z15-01" (s390x)');
    expect(describeTarget(run('r', 'arm64', { pinnedMachine: 'tx2-01' }))).toBe('selector (arch arm64), pinned to tx2-01');
  });
});

describe('explainImpossible', () => {
  const lab = [
    machine('tx2-01', 'arm64', { tags: ['cxl'], health: 'maintenance' }),
    machine('tx2-02', 'arm64', { leasedBy: 'bob' }),
    machine('tx2-03', 'arm64', { tags: ['numa'], memoryMiB: 32768, health: 'unknown' }),
    machine('x86-01', 'x86_64', { tags: ['cxl'], memoryMiB: 131072 }),
    machine('z15-01', 's390x', { health: 'retired' }),
  ];

  it('is null when a machine in service matches, even a leased one (it comes back)', () => {
    expect(explainImpossible(run('r', 'arm64'), lab)).toBeNull();
    expect(explainImpossible(run('r', 'arm64', { selector: { tags: ['numa'] } }), lab)).toBeNull();
    expect(explainImpossible(run('r', 'arm64', { target: { machine: 'tx2-02' } }), lab)).toBeNull();
  });

  it('names the constraint no machine in service meets and the out-of-service machine that would match', () => {
    const lab2 = lab.map((m) => (m.name === 'x86-01' ? { ...m, tags: [] } : m));
    expect(explainImpossible(run('r', 'arm64', { selector: { arch: 'arm64', tags: ['cxl'] } }), lab2)).toBe(
      'no machine can take it: selector (arch arm64, tags cxl): no machine in service has tag cxl; tx2-01 matches but is in maintenance',
    );
  });

  it('when each constraint is met somewhere but never together, names the nearest machines of the arch and what they lack', () => {
    expect(explainImpossible(run('r', 'arm64', { selector: { tags: ['cxl'] } }), lab)).toBe(
      'no machine can take it: selector (arch arm64, tags cxl): no machine in service has all of them; nearest: tx2-02 (no tag cxl), tx2-03 (no tag cxl); tx2-01 matches but is in maintenance',
    );
    expect(explainImpossible(run('r', 'arm64', { selector: { tags: ['numa', 'cxl'], minMemoryMiB: 65536 } }), lab)).toBe(
      'no machine can take it: selector (arch arm64, tags cxl,numa, >= 65536 MiB): no machine in service has all of them; nearest: tx2-03 (no tag cxl, 32768 MiB)',
    );
  });

  it('lists several failing constraints, the largest memory in service, and several out-of-service matches', () => {
    expect(explainImpossible(run('r', 'ppc64le', { selector: { tags: ['pmem'], minMemoryMiB: 262144 } }), lab)).toBe(
      'no machine can take it: selector (arch ppc64le, tags pmem, >= 262144 MiB): no machine in service has arch ppc64le or tag pmem or >= 262144 MiB (the largest has 131072 MiB)',
    );
    const retiredArm = ['a1', 'a2', 'a3', 'a4', 'a5'].map((n, i) => machine(n, 'arm64', { health: i % 2 ? 'bad' : 'retired' }));
    expect(explainImpossible(run('r', 'arm64'), [...retiredArm, machine('x', 'x86_64')])).toBe(
      'no machine can take it: selector (arch arm64): no machine in service has arch arm64; a1 (retired), a2 (bad), a3 (retired) and 2 more match but are out of service',
    );
    expect(explainImpossible(run('r', 'arm64'), retiredArm.slice(0, 2))).toBe(
      'no machine can take it: selector (arch arm64): no machine is in service; a1 (retired), a2 (bad) match but are out of service',
    );
  });

  it('a named machine: missing, of another arch, or out of service', () => {
    expect(explainImpossible(run('r', 'arm64', { target: { machine: 'tx2-09' } }), lab)).toBe('no machine can take it: machine "tx2-09" (arm64): no machine is named tx2-09');
    expect(explainImpossible(run('r', 'arm64', { target: { machine: 'tx2-01' } }), lab)).toBe('no machine can take it: machine "tx2-01" (arm64): tx2-01 is in maintenance');
    expect(explainImpossible(run('r', 'arm64', { target: { machine: 'z15-01' } }), lab)).toBe('no machine can take it: machine "z15-01" (arm64): z15-01 is s390x, not arm64 and is retired');
  });

  it('a pinned A/B run whose machine left service, or no longer matches, says why it cannot go elsewhere', () => {
    expect(explainImpossible(run('r', 'arm64', { pinnedMachine: 'tx2-01' }), lab)).toBe(
      'no machine can take it: selector (arch arm64), pinned to tx2-01: tx2-01 is in maintenance (an A/B job\'s runs stay on the machine of its first runs: a comparison across machines measures the machines)',
    );
    expect(explainImpossible(run('r', 'arm64', { pinnedMachine: 'tx2-02', selector: { tags: ['numa'] } }), lab)).toBe(
      'no machine can take it: selector (arch arm64, tags numa), pinned to tx2-02: tx2-02 has no tag numa (an A/B job\'s runs stay on the machine of its first runs: a comparison across machines measures the machines)',
    );
  });

  it('a selector arch that contradicts the job arch', () => {
    expect(explainImpossible(run('r', 'arm64', { selector: { arch: 'x86_64' } }), lab)).toBe(
      'no machine can take it: selector (arch x86_64): selector arch x86_64 contradicts the job\'s arch arm64',
    );
  });
});
