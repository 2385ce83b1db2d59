/*
 * Live console latency, agent -> `pfnlab jobs watch`: per console line, from
 * the moment the line is available on the agent's side to its arrival at an
 * SSE client of GET /api/runs/:id/console/live (the endpoint `jobs watch`
 * follows, read with the CLI's own readSse()).
 *   - available at the agent: the agent's ConsoleSpool appends every line
 *     to runs/<run>/console.log in its state dir before shipping it (line N
 *     of that file is sequence number N); that file is tailed every 5 ms;
 *   - also from QEMU: its console.log (chardev logfile=), matched to the
 *     SSE lines by text, which adds the console transport (SOL: ipmi_sim,
 *     ipmitool in a pty) and the agent's line assembly;
 *   - baseline in the same run, the noise floor: the delay of the same
 *     file tail behind writes made at known times (TailFloor).
 * All probes run in a worker thread, away from the in-process server.
 * Run: npm run build && node dist/bench/e2e/console-latency.js [--rounds 3] [--machine x86-01]
 */
import { join } from 'node:path';
import { distribution, flag, log, numFlag, round, runBenchmark } from './bench-common';
import { firstRow, machineDir, submitWatched, withBenchStack } from './bench-stack';
import { TailFloor } from './tail-floor';

const ROUNDS = numFlag('rounds', 3);
const MACHINE = flag('machine', 'x86-01');
const TARGET_P99_MS = 100;
/** A line spooled this soon after the SSE request could have come through the replay of stored lines, not live. */
const LIVE_AFTER_MS = 500;

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const norm = (s: string) => s.replace(ANSI, '').replace(/[^\x20-\x7e]/g, '').trim();

interface RoundResult {
  agentToSse: number[];
  /** When the line with the worst agent -> SSE latency was spooled. */
  worstAt: string;
  qemuToSse: number[];
  lines: number;
  notLive: number;
  textMismatches: number;
  qemuUnmatched: number;
}

async function main() {
  await withBenchStack(async (stack, probes) => {
    if (!stack.inventory.machines.some((m) => m.name === MACHINE)) throw new Error(`no machine ${MACHINE} in the vlab`);
    const floor = new TailFloor(probes);
    floor.start();
    try {
      const results: RoundResult[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const qemu = await probes.tail(join(machineDir(stack, MACHINE), 'console.log')).ready();
        const { jobId, run } = await submitWatched(stack, probes, stack.bootJob(MACHINE), 10);
        const runId = firstRow(await run.waitFor((x) => !!firstRow(x), 60_000, 'run dispatched'))!.id;
        const sse = await probes.sse(`${stack.server.url}/api/runs/${runId}/console/live`, stack.server.adminToken).ready();
        const spool = probes.tail(join(stack.agentStateDir, 'runs', runId, 'console.log'), { fromStart: true });
        try {
          const fin = await run.waitFor((x) => firstRow(x)?.state === 'finished', 400_000, `job ${jobId} finished`);
          if (firstRow(fin)!.verdict !== 'PASS') throw new Error(`job ${jobId}: ${firstRow(fin)!.verdict}, expected PASS`);
          await sse.waitFor((e) => e.event === 'end', 10_000, 'end of the live console').catch((e) => log(`warning: ${e.message}`));
        } finally {
          run.stop();
          sse.stop();
          spool.stop();
          qemu.stop();
        }
        // Arrival of each sequence number at the SSE client.
        const arrived = new Map<number, { text: string; at: number }>();
        for (const e of sse.seen) {
          if (e.event !== 'lines') continue;
          const b = JSON.parse(e.data) as { seq: number; lines: string[] };
          b.lines.forEach((text, k) => arrived.set(b.seq + k, { text, at: e.at }));
        }
        const r: RoundResult = { agentToSse: [], worstAt: '', qemuToSse: [], lines: arrived.size, notLive: 0, textMismatches: 0, qemuUnmatched: 0 };
        let worst = -Infinity;
        for (const l of spool.seen) {
          const s = arrived.get(l.n);
          if (!s) continue;
          if (l.at < sse.startedAt + LIVE_AFTER_MS) {
            r.notLive++;
            continue;
          }
          if (norm(s.text) !== norm(l.text)) r.textMismatches++;
          r.agentToSse.push(s.at - l.at);
          if (s.at - l.at > worst) {
            worst = s.at - l.at;
            r.worstAt = new Date(l.at).toISOString();
          }
        }
        // QEMU's lines, matched in order by their text.
        const fromQemu = new Map<string, number[]>();
        for (const l of qemu.seen) {
          const k = norm(l.text);
          if (k) (fromQemu.get(k) ?? fromQemu.set(k, []).get(k)!).push(l.at);
        }
        for (const [, s] of [...arrived.entries()].sort((a, b) => a[0] - b[0])) {
          const k = norm(s.text);
          if (!k) continue;
          const t = fromQemu.get(k)?.shift();
          if (t === undefined) r.qemuUnmatched++;
          else if (t >= sse.startedAt + LIVE_AFTER_MS) r.qemuToSse.push(s.at - t);
        }
        results.push(r);
        const d = distribution(r.agentToSse);
        log(`round ${i + 1}/${ROUNDS}: ${r.lines} lines, agent -> SSE p50 ${d.p50} ms p99 ${d.p99} ms max ${d.max} ms`);
      }
      const tailFloor = await floor.stop();
      const agent = distribution(results.flatMap((r) => r.agentToSse));
      const qemu = distribution(results.flatMap((r) => r.qemuToSse));
      process.stdout.write(
        JSON.stringify(
          {
            machine: MACHINE,
            rounds: ROUNDS,
            consoleTailPollMs: 5,
            targetP99Ms: TARGET_P99_MS,
            agentSpoolToSseMs: agent,
            targetMet: agent.p99 <= TARGET_P99_MS,
            qemuConsoleToSseMs: qemu,
            tailFloorMs: tailFloor,
            ratios: {
              agentP50ToFloorP50: round(agent.p50 / tailFloor.p50, 1),
              agentP99ToFloorP99: round(agent.p99 / tailFloor.p99, 1),
            },
            perRound: results.map((r) => ({
              linesStreamed: r.lines,
              agentToSse: distribution(r.agentToSse),
              worstAgentToSseAt: r.worstAt,
              qemuToSse: distribution(r.qemuToSse),
              excludedNotLive: r.notLive,
              spoolVsSseTextMismatches: r.textMismatches,
              sseLinesNotFoundInQemuLog: r.qemuUnmatched,
            })),
          },
          null,
          2,
        ) + '\n',
      );
    } finally {
      floor.dispose();
    }
  });
}

runBenchmark(main);
