/**
 * What the kernel counters cost a hotplug loop: `hotplug-offline-online`
 * with `counters.sh start` / `stop` around it against the same loop without
 * counters, in one run on one virtual-lab machine (issue: "Payload and
 * counter overhead ... as a ratio in one run").
 *
 * The machine (x86-01 by default: q35, TCG, Debian 6.1) boots its known-good
 * image in a private lab (own data dir and port base); virtio-mem plugs
 * --blocks movable memory blocks as test/payloads/payloads-vlab.test.ts
 * does; then --rounds rounds, each one loop with counters and one without,
 * the order alternating (on/off, off/on, ...) so a drift of the machine's
 * load hits both. Each loop is --iterations offline/online passes over the
 * blocks; every offline and every online is timed by the payload itself
 * (ns, in the guest). Compared: the median offline and the median online
 * time with counters against without. Also printed: the counters' fixed
 * cost (wall time of `counters.sh start` and `stop` over SSH), and the
 * kernel's own time in online_pages / offline_pages as the kretprobes saw it.
 *
 * Target: median offline and median online with counters / without ≤ 1.15.
 *
 *   npm run build && node dist/bench/payloads/counter-overhead.js [--rounds 6] [--iterations 3] [--blocks 4] [--machine x86-01] [--dir /tmp/pfnlab-bench-payloads] [--port-base 23100] [--funcs online_pages,offline_pages]
 *
 * Exits 1 when a target is missed.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { countOf, hotplugAddRemovePlan, type PayloadResult } from '@pfnlab/payloads';
import { DriverTestLab } from '../../test/machines/vlab-fixture';
import { GuestPayloads, guestArgs, hostStepsBetween, Qmp } from '../../test/payloads/payload-helpers';
import { flag, listFlag, log, median, numFlag, round, runBenchmark, wallMs } from '../e2e/bench-common';

const TARGET = 1.15;
const CTR = '/tmp/pfnlab-bench-counters';

interface Loop {
  mode: 'on' | 'off';
  round: number;
  offline: number[];
  online: number[];
  /** Host wall time (ms) of the payload over SSH, and of counters.sh start / stop. */
  loopMs: number;
  startMs?: number;
  stopMs?: number;
  ctr?: PayloadResult;
  load: number;
}

const load1 = () => os.loadavg()[0];
const ms = (ns: number) => (ns / 1e6).toFixed(2);

async function main(): Promise<void> {
  const rounds = numFlag('rounds', 6);
  const iterations = numFlag('iterations', 3);
  const blocks = numFlag('blocks', 4);
  const machine = flag('machine', 'x86-01');
  const funcs = listFlag('funcs', []);
  const lab = new DriverTestLab(path.resolve(flag('dir', '/tmp/pfnlab-bench-payloads')), numFlag('port-base', 23100));
  const started = new Date();
  const loadBefore = os.loadavg();

  let g: GuestPayloads | undefined;
  let qmp: Qmp | undefined;
  const teardown = async () => {
    qmp?.close();
    g?.close();
    if (g) await lab.drivers(g.machine).power.off().catch(() => undefined);
    lab.down();
  };
  process.once('SIGINT', () => { void teardown().finally(() => process.exit(130)); });

  const loops: Loop[] = [];
  let facts = '';
  try {
    log(`vlab up in ${lab.dir} (ports from ${lab.portBase})`);
    lab.up();
    g = await GuestPayloads.boot(lab, machine);
    qmp = await Qmp.connect(path.join(lab.dir, 'machines', machine, 'qmp.sock'));
    const blockSize = parseInt((await g.sh('cat /sys/devices/system/memory/block_size_bytes')).trim(), 16);
    facts = `${machine}: ${(await g.sh('uname -m -r')).trim()}, block size ${blockSize / 2 ** 20} MiB`;

    // Movable blocks: virtio-mem plug, then online_movable (as payloads-vlab.test.ts).
    const plan = hotplugAddRemovePlan({ method: 'virtio-mem', sizeBytes: blocks * blockSize, blockSizeBytes: blockSize, virtioMemCurrentBytes: 0, timeoutS: 180 });
    must((await g.run('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'prepare'))).r, 'prepare');
    const q = qmp;
    must((await g.runAround('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'wait-added'), async () => { await q.runSteps(hostStepsBetween(plan.steps, 'wait-added')); })).r, 'wait-added');
    must((await g.run('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'online'))).r, 'online');
    log(`${facts}: ${blocks} movable blocks plugged and online`);

    const ctrArgs = ['start', CTR, ...funcs];
    // Warm-up, not measured: the first loop and the first counters start (kallsyms, tracefs) pay for cold caches.
    await loop(g, 'off', -1, iterations, blocks, ctrArgs);
    await loop(g, 'on', -1, iterations, blocks, ctrArgs);
    for (let i = 0; i < rounds; i++) {
      const order: Array<'on' | 'off'> = i % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
      for (const mode of order) {
        const l = await loop(g, mode, i, iterations, blocks, ctrArgs);
        loops.push(l);
        log(`round ${i + 1} counters ${mode}: offline median ${ms(median(l.offline))} ms, online median ${ms(median(l.online))} ms${mode === 'on' ? `, start ${round(l.startMs!)} ms, stop ${round(l.stopMs!)} ms` : ''} (load ${l.load.toFixed(2)})`);
      }
    }
  } catch (e) {
    if (loops.length) report(loops, facts, started, loadBefore, { rounds, iterations, blocks, funcs });
    throw e;
  } finally {
    await teardown();
  }
  const missed = report(loops, facts, started, loadBefore, { rounds, iterations, blocks, funcs });
  if (missed) {
    process.stderr.write('a target was missed\n');
    process.exit(1);
  }
}

function must(r: PayloadResult, what: string): void {
  if (r.status !== 'ok' || r.problems.length) throw new Error(`${what}: ${r.status} ${r.failReason ?? r.skipReason ?? ''} ${JSON.stringify(r.problems.slice(0, 3))}`);
}

/** One loop; with counters, `counters.sh start` before and `stop` after, each timed from the host. */
async function loop(g: GuestPayloads, mode: 'on' | 'off', roundNo: number, iterations: number, blocks: number, ctrArgs: string[]): Promise<Loop> {
  const load = load1();
  let startMs: number | undefined;
  let stopMs: number | undefined;
  let ctr: PayloadResult | undefined;
  if (mode === 'on') {
    const t = wallMs();
    must((await g.run('counters.sh', ctrArgs)).r, 'counters start');
    startMs = wallMs() - t;
  }
  const t0 = wallMs();
  const { r } = await g.run('hotplug-offline-online.sh', [String(iterations), String(blocks)]);
  const loopMs = wallMs() - t0;
  if (mode === 'on') {
    const t = wallMs();
    ctr = (await g.run('counters.sh', ['stop', CTR])).r;
    stopMs = wallMs() - t;
    must(ctr, 'counters stop');
    if (!ctr.info.some((i) => i.cleanup === 'clean')) throw new Error(`counters stop left probes behind: ${JSON.stringify(ctr.info)}`);
  }
  must(r, `loop (counters ${mode})`);
  const offline = r.samples.filter((s) => s.metric === 'offline').map((s) => s.value);
  const online = r.samples.filter((s) => s.metric === 'online').map((s) => s.value);
  const errors = countOf(r, 'offline_error') + countOf(r, 'online_error');
  // Both sides must have done the same work, or the comparison means nothing.
  if (offline.length !== iterations * blocks || online.length !== iterations * blocks || errors) {
    throw new Error(`loop (counters ${mode}): ${offline.length} offline / ${online.length} online samples and ${errors} errors, expected ${iterations * blocks} each and none`);
  }
  return { mode, round: roundNo, offline, online, loopMs, startMs, stopMs, ctr, load };
}

/** Prints the table; true when a target is missed. */
function report(loops: Loop[], facts: string, started: Date, loadBefore: number[], o: { rounds: number; iterations: number; blocks: number; funcs: string[] }): boolean {
  const out = (s = '') => process.stdout.write(s + '\n');
  const of = (mode: 'on' | 'off', k: 'offline' | 'online') => loops.filter((l) => l.mode === mode).flatMap((l) => l[k]);
  const on = loops.filter((l) => l.mode === 'on');
  const calls = (name: string) => on.map((l) => l.ctr!.counters.find((c) => c.name === name && c.source === 'kprobe')).filter((c) => c !== undefined);
  const load = (xs: number[]) => xs.map((l) => l.toFixed(2)).join(' ');
  out(`counter overhead benchmark: ${facts}; ${o.rounds} rounds × (${o.iterations} iterations × ${o.blocks} blocks) per side; counters: ${o.funcs.length ? o.funcs.join(',') : 'counters.sh defaults'}`);
  out(`started ${started.toISOString()}, ended ${new Date().toISOString()}; host ${os.cpus().length} CPUs, load average before ${load(loadBefore)}, after ${load(os.loadavg())}; ${qemuVersion()}`);
  out();
  out('| | samples | median ms | p25–p75 ms | min ms |');
  out('|---|---|---|---|---|');
  const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]; };
  for (const k of ['offline', 'online'] as const) {
    for (const mode of ['off', 'on'] as const) {
      const xs = of(mode, k);
      out(`| ${k}, counters ${mode} | ${xs.length} | ${ms(median(xs))} | ${ms(q(xs, 0.25))}–${ms(q(xs, 0.75))} | ${ms(Math.min(...xs))} |`);
    }
  }
  out();
  out('| fixed cost of the counters (host wall, over SSH) | median ms | min–max ms |');
  out('|---|---|---|');
  for (const k of ['startMs', 'stopMs'] as const) {
    const xs = on.map((l) => l[k]!);
    out(`| counters.sh ${k === 'startMs' ? 'start' : 'stop'} | ${round(median(xs))} | ${round(Math.min(...xs))}–${round(Math.max(...xs))} |`);
  }
  for (const mode of ['off', 'on'] as const) {
    const xs = loops.filter((l) => l.mode === mode).map((l) => l.loopMs);
    out(`| whole loop, counters ${mode} (for scale) | ${round(median(xs))} | ${round(Math.min(...xs))}–${round(Math.max(...xs))} |`);
  }
  out();
  const kernel = ['offline_pages', 'online_pages'].map((n) => {
    const cs = calls(n);
    const perOp = cs.map((c) => c.calls ?? 0);
    return `${n}: ${perOp.join('/')} calls per loop, mean ${ms(median(cs.map((c) => c.meanNs ?? 0)))} ms in the kernel (median over loops)`;
  });
  const probeHits = on.length ? on[0].ctr!.counters.filter((c) => c.source === 'kprobe').map((c) => `${c.name} ${c.calls}`).join(', ') : '';
  out(`kretprobe view: ${kernel.join('; ')}`);
  out(`probe hits in one loop with counters (first round): ${probeHits}`);
  out();
  let missed = false;
  out('| measure | value | per-round ratios | target | |');
  out('|---|---|---|---|---|');
  for (const k of ['offline', 'online'] as const) {
    const ratio = median(of('on', k)) / median(of('off', k));
    const perRound = [...new Set(loops.map((l) => l.round))].map((r) => {
      const a = loops.find((l) => l.round === r && l.mode === 'on');
      const b = loops.find((l) => l.round === r && l.mode === 'off');
      return a && b ? (median(a[k]) / median(b[k])).toFixed(2) : '-';
    });
    const met = ratio <= TARGET;
    missed ||= !met;
    out(`| median ${k}, counters on / off | **${ratio.toFixed(3)}** | ${perRound.join(' ')} | ≤ ${TARGET} | ${met ? 'met' : 'MISSED'} |`);
  }
  return missed;
}

function qemuVersion(): string {
  try {
    return execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return 'QEMU version unknown';
  }
}

runBenchmark(main);
