/**
 * How long one scheduling decision takes (libs/scheduling `decide`) for a
 * lab of --machines machines and a queue of --runs runs, against, in the
 * same run on the same data: a naive scheduler (rank by effective priority,
 * then for each run scan every machine for the first free match, O(runs x
 * machines)) and the floor of any priority scheduler (sorting the queue).
 *
 *   npm run build && node dist/bench/scheduling/decide.js [--machines 1000] [--runs 10000] [--iterations 200] [--seed 1] [--leased 0.7]
 *
 * The target is p99 <= 50 ms per dispatch decision at >= 200
 * dispatches/s; this prints p50/p99 per decision and decisions/s on one
 * core, for the lab with --leased of its machines busy and with all free.
 * The data is seeded: the same arguments give the same lab and queue.
 */
import type { Arch, Health, Platform } from '@pfnlab/contracts';
import { decide, effectivePriority, isInService, matchesTarget, type QueuedRun, type SchedulingMachine } from '@pfnlab/scheduling';
import { SeededRandom } from '@pfnlab/stats';
import { nonNegativeFlag } from '../e2e/bench-common';


const ARCH_SHARE: Array<[Arch, Platform, number]> = [['x86_64', 'x86-server', 0.4], ['arm64', 'thunderx2', 0.25], ['ppc64le', 'power9', 0.2], ['s390x', 'z15-lpar', 0.15]];
const TAGS = ['cxl', 'numa', 'pmem', 'hbm', 'sev', 'kvm', 'big'];
const MEMORY = [16384, 32768, 65536, 131072, 262144, 524288];
const HEALTH: Array<[Health, number]> = [['good', 0.88], ['unknown', 0.05], ['bad', 0.03], ['maintenance', 0.03], ['retired', 0.01]];
const NOW = Date.UTC(2026, 10, 1, 12);

function weighted<T>(rng: SeededRandom, items: Array<[...unknown[], number]>, pick: (x: (typeof items)[number]) => T): T {
  let u = rng.uniform();
  for (const it of items) {
    u -= it[it.length - 1] as number;
    if (u < 0) return pick(it);
  }
  return pick(items[items.length - 1]);
}

export function buildLab(seed: number, nMachines: number, nRuns: number, leased: number): { machines: SchedulingMachine[]; runs: QueuedRun[] } {
  const rng = new SeededRandom(seed);
  const users = Array.from({ length: 40 }, (_, i) => `user${i}`);
  // A few users submit most runs (user i has weight 1/(i+1)).
  const userWeights = users.map((u, i): [string, number] => [u, 1 / (i + 1)]);
  const total = userWeights.reduce((a, [, w]) => a + w, 0);
  const pickUser = () => weighted(rng, userWeights.map(([u, w]) => [u, w / total]), (x) => x[0] as string);
  const machines: SchedulingMachine[] = Array.from({ length: nMachines }, (_, i) => {
    const [arch, platform] = weighted(rng, ARCH_SHARE, (x) => [x[0], x[1]] as [Arch, Platform]);
    return {
      name: `${arch}-${String(i).padStart(4, '0')}`,
      arch,
      platform,
      tags: TAGS.filter(() => rng.uniform() < 0.15),
      memoryMiB: MEMORY[rng.int(MEMORY.length)],
      health: weighted(rng, HEALTH, (x) => x[0] as Health),
      leasedBy: rng.uniform() < leased ? pickUser() : null,
    };
  });
  const runs: QueuedRun[] = Array.from({ length: nRuns }, (_, i) => {
    const [arch, platform] = weighted(rng, ARCH_SHARE, (x) => [x[0], x[1]] as [Arch, Platform]);
    const u = rng.uniform();
    const base = { id: `run-${String(i).padStart(6, '0')}`, user: pickUser(), arch, priority: [25, 50, 50, 50, 75, 100][rng.int(6)], queuedAt: NOW - rng.int(6 * 3600_000) };
    if (u < 0.7) return { ...base, target: { selector: {} } };
    if (u < 0.85) return { ...base, target: { selector: { platform, tags: TAGS.filter(() => rng.uniform() < 0.1) } } };
    if (u < 0.9) return { ...base, target: { selector: { minMemoryMiB: MEMORY[rng.int(MEMORY.length)] } } };
    const m = machines[rng.int(machines.length)];
    if (u < 0.95) return { ...base, arch: m.arch, target: { machine: m.name } };
    if (u < 0.98) return { ...base, arch: m.arch, target: { selector: {} }, pinnedMachine: m.name };
    return { ...base, target: { selector: { tags: ['no-such-tag'] } } };
  });
  return { machines, runs };
}

/** The straightforward scheduler: rank, then scan every machine for each run. */
function naive(machines: readonly SchedulingMachine[], runs: readonly QueuedRun[]): number {
  const ranked = runs.map((r) => ({ r, e: effectivePriority(r.priority, NOW - r.queuedAt) })).sort((a, b) => b.e - a.e || a.r.queuedAt - b.r.queuedAt);
  const taken = new Set<string>();
  let n = 0;
  for (const { r } of ranked) {
    const m = machines.find((m) => isInService(m.health) && m.leasedBy == null && !taken.has(m.name) && matchesTarget(r, m));
    if (m) {
      taken.add(m.name);
      n++;
    }
  }
  return n;
}

interface Timing {
  p50: number;
  p99: number;
  mean: number;
  /** Median CPU time of the process (user + system) per call: less sensitive than wall time to QEMU guests sharing the cores. */
  cpuP50: number;
}

function time(iterations: number, f: () => unknown): Timing {
  for (let i = 0; i < Math.min(10, iterations); i++) f(); // warm the JIT
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    f();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)];
  return { p50: q(ms, 0.5), p99: q(ms, 0.99), mean: ms.reduce((a, b) => a + b, 0) / ms.length, cpuP50: q(cpu, 0.5) };
}

function main(): void {
  const nMachines = nonNegativeFlag('machines', 1000);
  const nRuns = nonNegativeFlag('runs', 10000);
  const iterations = nonNegativeFlag('iterations', 200);
  const seed = nonNegativeFlag('seed', 1);
  const leased = nonNegativeFlag('leased', 0.7);
  console.log(`scheduling decision: ${nMachines} machines, ${nRuns} queued runs, ${iterations} iterations, seed ${seed}, node ${process.version}`);
  console.log('| lab | what | assigned | p50 ms | p99 ms | CPU p50 ms | decisions/s |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [label, share] of [[`${Math.round(leased * 100)}% leased`, leased], ['all free', 0]] as const) {
    const { machines, runs } = buildLab(seed, nMachines, nRuns, share);
    const d = decide({ now: NOW, machines, runs });
    const rows: Array<[string, number, Timing]> = [
      ['decide', d.assignments.length, time(iterations, () => decide({ now: NOW, machines, runs }))],
      ['naive scan', naive(machines, runs), time(Math.max(1, Math.round(iterations / 10)), () => naive(machines, runs))],
      ['floor: sort the queue', 0, time(iterations, () => [...runs].sort((a, b) => b.priority - a.priority || a.queuedAt - b.queuedAt))],
    ];
    for (const [what, assigned, t] of rows) {
      console.log(`| ${label} | ${what} | ${assigned} | ${t.p50.toFixed(2)} | ${t.p99.toFixed(2)} | ${t.cpuP50.toFixed(2)} | ${Math.round(1000 / t.mean)} |`);
    }
    console.log(`  ${label}: decide also reported ${d.impossible.length} impossible and ${d.waiting.length} waiting runs;` +
      ` ratios (p50 wall, CPU) decide / sorting the queue ${(rows[0][2].p50 / rows[2][2].p50).toFixed(2)}, ${(rows[0][2].cpuP50 / rows[2][2].cpuP50).toFixed(2)};` +
      ` naive / decide ${(rows[1][2].p50 / rows[0][2].p50).toFixed(1)}, ${(rows[1][2].cpuP50 / rows[0][2].cpuP50).toFixed(1)}`);
  }
}

if (require.main === module) main();
