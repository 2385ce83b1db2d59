import type { Arch, Health, Platform } from '@pfnlab/contracts';
import { decide, effectivePriority, fairSharePenalty, isInService, matchesTarget, type QueuedRun, type SchedulingMachine } from '@pfnlab/scheduling';
import { SeededRandom } from '@pfnlab/stats';
import { MINUTE, NOW } from './fixtures';

/**
 * The size: 1,000 machines, 10,000 queued runs. Only the result is
 * checked here, never the time (bench/scheduling/decide.ts times it).
 */
const ARCHES: Array<[Arch, Platform]> = [['x86_64', 'x86-server'], ['arm64', 'thunderx2'], ['ppc64le', 'power9'], ['s390x', 'z15-lpar']];
const TAGS = ['cxl', 'numa', 'pmem', 'hbm', 'sev'];
const HEALTH: Health[] = ['good', 'good', 'good', 'good', 'good', 'good', 'good', 'unknown', 'bad', 'maintenance', 'retired'];

function lab(seed: number): { machines: SchedulingMachine[]; runs: QueuedRun[] } {
  const rng = new SeededRandom(seed);
  const machines: SchedulingMachine[] = Array.from({ length: 1000 }, (_, i) => {
    const [arch, platform] = ARCHES[rng.int(4)];
    return { name: `m${String(i).padStart(4, '0')}`, arch, platform, tags: TAGS.filter(() => rng.uniform() < 0.2), memoryMiB: 16384 << rng.int(5), health: HEALTH[rng.int(HEALTH.length)], leasedBy: rng.uniform() < 0.6 ? `user${rng.int(30)}` : null };
  });
  const runs: QueuedRun[] = Array.from({ length: 10_000 }, (_, i) => {
    // s390x runs are all picky (tag cxl, >= 64 GiB), so some s390x machines stay free: the "nothing left that a waiting run could use" check has teeth.
    const [arch, platform] = ARCHES[rng.int(4)];
    const base = { id: `r${String(i).padStart(5, '0')}`, user: `user${rng.int(30)}`, arch, priority: rng.int(101), queuedAt: NOW - rng.int(300) * MINUTE };
    const u = rng.uniform();
    if (arch === 's390x') return { ...base, target: { selector: { tags: ['cxl'], minMemoryMiB: 65536 } } };
    if (u < 0.7) return { ...base, target: { selector: {} } };
    if (u < 0.9) return { ...base, target: { selector: { platform, tags: TAGS.filter(() => rng.uniform() < 0.2), minMemoryMiB: rng.uniform() < 0.3 ? 65536 : undefined } } };
    if (u < 0.95) return { ...base, target: { machine: `m${String(rng.int(1000)).padStart(4, '0')}` } };
    if (u < 0.98) return { ...base, target: { selector: {} }, pinnedMachine: `m${String(rng.int(1000)).padStart(4, '0')}` };
    return { ...base, target: { selector: { tags: ['no-such-tag'] } } };
  });
  return { machines, runs };
}

describe('decide at 1,000 machines and 10,000 queued runs', () => {
  const { machines, runs } = lab(7);
  const d = decide({ now: NOW, machines, runs });
  const byName = new Map(machines.map((m) => [m.name, m]));
  const byId = new Map(runs.map((r) => [r.id, r]));

  it('assigns every free machine some run can use, each once, each to a run that matches it', () => {
    expect([d.assignments.length, d.impossible.length, d.waiting.length]).toEqual([244, 621, 9135]);
    expect(new Set(d.assignments.map((a) => a.machine)).size).toBe(d.assignments.length);
    expect(d.assignments.every((a) => { const m = byName.get(a.machine)!; return m.leasedBy === null && isInService(m.health) && matchesTarget(byId.get(a.runId)!, m); })).toBe(true);
    const taken = new Set(d.assignments.map((a) => a.machine));
    const leftFree = machines.filter((m) => m.leasedBy === null && isInService(m.health) && !taken.has(m.name));
    expect(leftFree.length).toBe(64);
    const couldUse = d.waiting.filter((w) => leftFree.some((m) => matchesTarget(byId.get(w.runId)!, m)));
    expect(couldUse).toEqual([]);
  });

  it('reports as impossible exactly the runs no machine in service matches', () => {
    const expected = runs.filter((r) => !machines.some((m) => isInService(m.health) && matchesTarget(r, m))).map((r) => r.id).sort();
    expect(d.impossible.map((x) => x.runId)).toEqual(expected);
  });

  it('ranks the queue: scores only go down, the first assignment is the best-scored run that has a free machine', () => {
    const scores = d.assignments.map((a) => a.score);
    expect(scores.every((s, i) => i === 0 || s <= scores[i - 1])).toBe(true);
    const inUse = new Map<string, number>();
    for (const m of machines) if (m.leasedBy) inUse.set(m.leasedBy, (inUse.get(m.leasedBy) ?? 0) + 1);
    const impossible = new Set(d.impossible.map((x) => x.runId));
    const active = new Set([...runs.filter((r) => !impossible.has(r.id)).map((r) => r.user), ...inUse.keys()]).size;
    const inService = machines.filter((m) => isInService(m.health)).length;
    const free = machines.filter((m) => m.leasedBy === null && isInService(m.health));
    const best = runs
      .filter((r) => free.some((m) => matchesTarget(r, m)))
      .map((r) => ({ r, score: effectivePriority(r.priority, NOW - r.queuedAt) - fairSharePenalty(inUse.get(r.user) ?? 0, active, inService) }))
      .sort((a, b) => b.score - a.score || a.r.queuedAt - b.r.queuedAt || (a.r.id < b.r.id ? -1 : 1))[0];
    expect([d.assignments[0].runId, d.assignments[0].score]).toEqual([best.r.id, best.score]);
  });

  it('gives the same decision for the same input in another order', () => {
    expect(decide({ now: NOW, machines: [...machines].reverse(), runs: [...runs].reverse() })).toEqual(d);
  });
});
