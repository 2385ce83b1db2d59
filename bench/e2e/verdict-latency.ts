/*
 * Verdict latency: from a kernel panic line leaving the console to the FAIL
 * verdict being stored. Jobs boot the known-good kernel without an init
 * (the e2e test's missing-init case: rdinit=/nonexistent-init
 * root=/dev/nonexistent), so the kernel panics while mounting its root.
 *   - the panic line leaves the console when QEMU writes it: its
 *     console.log (chardev logfile=) is tailed every 5 ms from a worker
 *     thread, and the line is timed at the poll that finds it;
 *   - the verdict is stored when the run's row has it: polled straight from
 *     PostgreSQL every 10 ms (the measurement's resolution);
 *   - baseline in the same run, the noise floor: the delay of the same file
 *     tail behind writes made at known times (TailFloor).
 * Breakdown per round: console.log -> the agent's spool file (SOL,
 * ipmitool, line assembly), -> the agent's boot step failed (analysis,
 * report), -> the verdict row. Each job ends with the machine's recovery
 * (a known-good boot) before the next one starts.
 * The jobs set panic=30 (--panic N): the kernel waits after its panic
 * report, so the agent's recovery power-cycles a halted machine. With the
 * agent's default panic=-1 (--panic -1) the guest resets at once and the
 * recovery's power cycle follows within a second, which now and then
 * leaves the vlab's ipmi_sim without its SOL connection to QEMU (the
 * recovery times out, and so do later boots on that machine); the panic
 * line and the verdict come before either, so the latency is the same.
 * Run: npm run build && node dist/bench/e2e/verdict-latency.js [--rounds 5] [--machine x86-01] [--panic 30]
 */
import { join } from 'node:path';
import { distribution, flag, log, median, numFlag, round, wallMs, runBenchmark } from './bench-common';
import { firstRow, machineDir, stepsOf, submitWatched, withBenchStack } from './bench-stack';
import { TailFloor } from './tail-floor';

const ROUNDS = numFlag('rounds', 5);
const MACHINE = flag('machine', 'x86-01');
const PANIC_PARAM = `panic=${Number(flag('panic', '30'))}`;
const POLL_MS = 10;
const TARGET_MS = 250;
const PANIC = /Kernel panic/;

interface Round {
  runId: string;
  latencyMs: number;
  reason: string | null;
  consoleToSpoolMs: number;
  spoolToBootFailedMs: number;
  bootFailedToStoredMs: number;
  panicLine: string;
}

async function main() {
  await withBenchStack(async (stack, probes) => {
    if (!stack.inventory.machines.some((m) => m.name === MACHINE)) throw new Error(`no machine ${MACHINE} in the vlab`);
    const floor = new TailFloor(probes);
    floor.start();
    try {
      const rounds: Round[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const qemu = await probes.tail(join(machineDir(stack, MACHINE), 'console.log')).ready();
        const job = stack.bootJob(MACHINE, {}, ['rdinit=/nonexistent-init', 'root=/dev/nonexistent', PANIC_PARAM]);
        const { jobId, run } = await submitWatched(stack, probes, job, POLL_MS);
        try {
          const runId = firstRow(await run.waitFor((x) => !!firstRow(x), 60_000, 'run dispatched'))!.id;
          const spool = probes.tail(join(stack.agentStateDir, 'runs', runId, 'console.log'), { fromStart: true });
          const v = await run.waitFor((x) => firstRow(x)?.verdict != null, 300_000, `verdict of job ${jobId}`);
          const verdict = firstRow(v)!.verdict;
          if (verdict !== 'FAIL') throw new Error(`job ${jobId}: verdict ${verdict}, expected FAIL (${JSON.stringify(await stack.job(jobId))})`);
          const panic = await qemu.waitFor((l) => PANIC.test(l.text), 5000, 'panic line in console.log');
          const spooled = await spool.waitFor((l) => PANIC.test(l.text), 5000, 'panic line in the agent spool');
          spool.stop();
          const fin = await run.waitFor((x) => firstRow(x)?.state === 'finished', 400_000, `job ${jobId} finished (recovered)`);
          const steps = await stepsOf(stack, runId);
          const bootFailed = steps.find((s) => s.name === 'boot')?.finishedAt ?? NaN;
          const reason = (await stack.job(jobId)).verdictReason;
          if (firstRow(fin)!.verdict !== 'FAIL') throw new Error(`job ${jobId}: finished ${firstRow(fin)!.verdict}, expected FAIL (${reason})`);
          if (steps.find((s) => s.name === 'recover')?.state !== 'ok') log(`warning: job ${jobId}: the machine's recovery did not succeed`);
          rounds.push({
            runId,
            latencyMs: round(v.at - panic.at),
            reason,
            consoleToSpoolMs: round(spooled.at - panic.at),
            spoolToBootFailedMs: round(bootFailed - spooled.at),
            bootFailedToStoredMs: round(v.at - bootFailed),
            panicLine: panic.text.replace(/[^\x20-\x7e]/g, '').slice(0, 120),
          });
          log(`round ${i + 1}/${ROUNDS}: panic line -> FAIL stored ${rounds[i].latencyMs} ms (${reason})`);
        } finally {
          run.stop();
          qemu.stop();
        }
      }
      const tailFloor = await floor.stop();
      const lat = distribution(rounds.map((r) => r.latencyMs));
      const medianLatency = median(rounds.map((r) => r.latencyMs));
      process.stdout.write(
        JSON.stringify(
          {
            machine: MACHINE,
            rounds: ROUNDS,
            cmdline: ['rdinit=/nonexistent-init', 'root=/dev/nonexistent', PANIC_PARAM],
            verdictPollMs: POLL_MS,
            consoleTailPollMs: 5,
            targetMedianMs: TARGET_MS,
            medianLatencyMs: round(medianLatency),
            latencyMs: lat,
            targetMet: medianLatency <= TARGET_MS,
            tailFloorMs: tailFloor,
            ratioMedianLatencyToTailFloorP50: round(medianLatency / tailFloor.p50, 1),
            medianBreakdownMs: {
              consoleToSpool: round(median(rounds.map((r) => r.consoleToSpoolMs))),
              spoolToBootFailed: round(median(rounds.map((r) => r.spoolToBootFailedMs))),
              bootFailedToStored: round(median(rounds.map((r) => r.bootFailedToStoredMs))),
            },
            perRound: rounds,
            clockNote: `wallMs - Date.now() = ${round(wallMs() - Date.now(), 2)} ms`,
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
