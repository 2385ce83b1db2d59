/*
 * Controller overhead per arch: what a pfnlab boot job costs on top of
 * booting the same machine by hand.
 *   (a) baseline: the same kernel, initramfs and command line staged by hand
 *       in the machine's boot/next/, then power-on through the vlab's own
 *       interface (ipmitool chassis power on; HMC activate + load for the
 *       LPAR), timed from the power-on request to VLAB-READY on the console
 *       (SOL through ipmitool; HMC OS messages polled every 100 ms);
 *   (b) the job: POST /api/jobs (the e2e PASS test's boot of the known-good
 *       image) until the run's row says finished (PASS), polled every 10 ms.
 * Both start from a powered-off machine; rounds alternate (a), (b). One
 * unmeasured warm-up job per machine fills the caches and yields the
 * command line the job boots with (boot/last/cmdline), which (a) reuses.
 * Every round also tails QEMU's console.log (the guest's own timing) and
 * reads power.log (when the chassis came on), so the job's wall time splits
 * into steps, and the guest's boot-time noise can be taken out.
 * Run: npm run build && node dist/bench/e2e/controller-overhead.js [--rounds 3] [--arch x86-01,s390x]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InventoryMachine } from '@pfnlab/contracts';
import type { E2eStack } from '../../test/e2e/e2e-stack';
import { listFlag, log, median, numFlag, round, runBenchmark, wallMs } from './bench-common';
import { chassisOnAfter, firstRow, machineDir, stepsOf, submitWatched, withBenchStack, type StepTime } from './bench-stack';
import { byHand, stageByHand, type ByHand } from './by-hand';
import type { Probes } from './probes';

const ROUNDS = numFlag('rounds', 3);
const ALL = ['x86-01', 'tx2-01', 'p9-01', 'z15-lpar-01'];
const TARGET_MS = 1000;
const MARKER = 'VLAB-READY';

interface Round {
  wallMs: number;
  /** Power-on request (job: power step start) to the chassis process starting (power.log). */
  powerToChassis: number;
  /** Chassis on to the marker in QEMU's console.log: the guest's own boot time. */
  guest: number;
  /** Named segments, in order, that add up to wallMs. */
  segments: Record<string, number>;
}

async function tailConsoleLog(probes: Probes, dir: string) {
  return (await probes.tail(join(dir, 'console.log')).ready());
}

async function baselineRound(stack: E2eStack, probes: Probes, m: InventoryMachine, hand: ByHand, cmdline: string): Promise<Round> {
  const dir = machineDir(stack, m.name);
  await hand.off();
  const d = stack.lab.defaultBoot(m.name);
  stageByHand(dir, d.kernel, d.initrd, cmdline);
  const tail = await tailConsoleLog(probes, dir);
  const con = await hand.console();
  try {
    const t0 = wallMs();
    await hand.on();
    const seen = await con.waitFor(MARKER, 300_000);
    const inLog = (await tail.waitFor((l) => l.text.includes(MARKER), 10_000, 'marker in console.log')).at;
    const chassis = chassisOnAfter(dir, t0) ?? NaN;
    return {
      wallMs: seen - t0,
      powerToChassis: chassis - t0,
      guest: inLog - chassis,
      segments: { 'power request -> chassis on': chassis - t0, 'chassis on -> marker in console.log (guest)': inLog - chassis, 'marker: console.log -> read by hand': seen - inLog },
    };
  } finally {
    tail.stop();
    await con.close();
  }
}

const at = (steps: StepTime[], name: string, k: 'startedAt' | 'finishedAt') => steps.find((s) => s.name === name)?.[k] ?? NaN;

async function jobRound(stack: E2eStack, probes: Probes, m: InventoryMachine, hand: ByHand): Promise<Round & { runId: string }> {
  const dir = machineDir(stack, m.name);
  await hand.off();
  const tail = await tailConsoleLog(probes, dir);
  try {
    const { jobId, submittedAt: t0, run } = await submitWatched(stack, probes, stack.bootJob(m.name), 10);
    const fin = await run.waitFor((x) => firstRow(x)?.state === 'finished', 400_000, `job ${jobId} finished`);
    run.stop();
    const row = firstRow(fin)!;
    if (row.verdict !== 'PASS') throw new Error(`job ${jobId} on ${m.name}: ${row.verdict} (${JSON.stringify(await stack.job(jobId))})`);
    const steps = await stepsOf(stack, row.id);
    const inLog = (await tail.waitFor((l) => l.text.includes(MARKER), 10_000, 'marker in console.log')).at;
    const chassis = chassisOnAfter(dir, t0) ?? NaN;
    const points: Array<[string, number]> = [
      ['submit -> reserve step starts (queue, dispatch)', at(steps, 'reserve', 'startedAt')],
      ['reserve', at(steps, 'console', 'startedAt')],
      ['console (open)', at(steps, 'deploy', 'startedAt')],
      ['deploy (stage)', at(steps, 'power', 'startedAt')],
      ['power request -> chassis on', chassis],
      ['chassis on -> marker in console.log (guest)', inLog],
      ['marker: console.log -> boot step ok (console transport, analysis)', at(steps, 'boot', 'finishedAt')],
      ['boot ok -> release ok (test, collect, recover skipped; release)', at(steps, 'release', 'finishedAt')],
      ['release ok -> finished stored and seen', fin.at],
    ];
    const segments: Record<string, number> = {};
    let prev = t0;
    for (const [name, t] of points) {
      segments[name] = t - prev;
      prev = t;
    }
    return { runId: row.id, wallMs: fin.at - t0, powerToChassis: chassis - at(steps, 'power', 'startedAt'), guest: inLog - chassis, segments };
  } finally {
    tail.stop();
  }
}

const medians = (rs: Round[]) => Object.fromEntries(Object.keys(rs[0].segments).map((k) => [k, round(median(rs.map((r) => r.segments[k])))]));

async function benchMachine(stack: E2eStack, probes: Probes, m: InventoryMachine) {
  const dir = machineDir(stack, m.name);
  const hand = byHand(m, dir);
  try {
    log(`${m.name}: warm-up job`);
    await jobRound(stack, probes, m, hand);
    const cmdline = readFileSync(join(dir, 'boot', 'last', 'cmdline'), 'utf8').trim();
    const base: Round[] = [];
    const job: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      base.push(await baselineRound(stack, probes, m, hand, cmdline));
      job.push(await jobRound(stack, probes, m, hand));
      log(`${m.name} round ${i + 1}/${ROUNDS}: by hand ${round(base[i].wallMs)} ms, job ${round(job[i].wallMs)} ms (guest ${round(base[i].guest)} / ${round(job[i].guest)} ms)`);
    }
    await hand.off();
    const overhead = job.map((j, i) => j.wallMs - base[i].wallMs);
    // The same difference without the guest's own boot time (which varies from boot to boot under TCG).
    const overheadExGuest = job.map((j, i) => j.wallMs - j.guest - (base[i].wallMs - base[i].guest));
    const medianOverhead = median(overhead);
    return {
      machine: m.name,
      arch: m.arch,
      cmdline,
      baselineMs: base.map((r) => round(r.wallMs)),
      jobMs: job.map((r) => round(r.wallMs)),
      overheadMs: overhead.map((x) => round(x)),
      medianBaselineMs: round(median(base.map((r) => r.wallMs))),
      medianJobMs: round(median(job.map((r) => r.wallMs))),
      medianOverheadMs: round(medianOverhead),
      medianOverheadExGuestMs: round(median(overheadExGuest)),
      ratioJobToBaseline: round(median(job.map((r) => r.wallMs)) / median(base.map((r) => r.wallMs)), 3),
      targetMet: medianOverhead <= TARGET_MS,
      targetMetExGuest: median(overheadExGuest) <= TARGET_MS,
      medianGuestMs: { baseline: round(median(base.map((r) => r.guest))), job: round(median(job.map((r) => r.guest))) },
      baselineSegmentsMs: medians(base),
      jobSegmentsMs: medians(job),
    };
  } finally {
    await hand.close();
  }
}

async function main() {
  const wanted = listFlag('arch', ALL);
  const skew0 = wallMs() - Date.now();
  await withBenchStack(async (stack, probes) => {
    const machines = stack.inventory.machines.filter((m) => wanted.includes(m.name) || wanted.includes(m.arch));
    if (!machines.length) throw new Error(`--arch ${wanted.join(',')} matches no machine (${ALL.join(', ')} or their arches)`);
    const results = [];
    for (const m of machines) results.push(await benchMachine(stack, probes, m));
    process.stdout.write(
      JSON.stringify({ rounds: ROUNDS, targetMedianOverheadMs: TARGET_MS, jobPollMs: 10, clockSkewMs: round(wallMs() - Date.now() - skew0, 2), results }, null, 2) + '\n',
    );
  });
}

runBenchmark(main);
