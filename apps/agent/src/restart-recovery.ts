import { Logger } from '@nestjs/common';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { InventoryMachine, RunDispatch } from '@pfnlab/contracts';
import { createDrivers, SecretResolver } from '@pfnlab/machines';
import { ConsoleSpool } from './console-spool';
import type { ExecutorDeps } from './run-executor';
import { RunReporter } from './run-reporter';

/**
 * After an agent restart: every run it was executing ends honestly. The
 * console spooled before the crash is shipped (so the stored log is
 * complete up to the crash), the verdict is ERROR naming the restart, the
 * machine is power-cycled back to its known-good kernel, and the lease goes.
 */
const RECOVERY_WAIT_MS = 180_000;

/** Power-cycles to the default kernel and waits for its ready marker on the console; true when it came. */
async function cycleToKnownGood(drivers: ReturnType<typeof createDrivers>, marker: string | undefined, waitMs: number): Promise<boolean> {
  if (!marker) {
    await drivers.power.cycle();
    return false;
  }
  const conn = await drivers.console.open();
  try {
    let text = '';
    const seen = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs);
      conn.onData((chunk) => {
        text = (text + chunk.toString('latin1')).slice(-4096);
        if (text.includes(marker)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
    await drivers.power.cycle();
    return await seen;
  } finally {
    await conn.close().catch(() => undefined);
  }
}

export async function recoverInterruptedRuns(deps: ExecutorDeps, log = new Logger('restart-recovery')): Promise<string[]> {
  const dir = join(deps.stateDir, 'runs');
  let ids: string[] = [];
  try {
    ids = readdirSync(dir);
  } catch {
    return [];
  }
  const done: string[] = [];
  for (const runId of ids) {
    const runDir = join(dir, runId);
    try {
      const { dispatch, machine } = JSON.parse(readFileSync(join(runDir, 'dispatch.json'), 'utf8')) as { dispatch: RunDispatch; machine: InventoryMachine };
      const spool = new ConsoleSpool(join(runDir, 'console.log'), deps.redis, deps.prefix, runId);
      await spool.resend(await spool.acked());
      const reporter = new RunReporter(deps.redis, deps.prefix, runId, dispatch.leaseToken);
      await reporter.verdict({ verdict: 'ERROR', reason: 'the agent restarted during the run; the run was abandoned and the machine recovered', failedStep: null, kernelVersion: null, milestones: [], crashes: [] });
      let machineState: 'good' | 'unknown' = 'unknown';
      try {
        const drivers = createDrivers(machine, new SecretResolver(process.env, JSON.stringify(machine).includes('stored:') ? await deps.link.secrets(runId, dispatch.leaseToken) : {}));
        await drivers.boot.unstage();
        machineState = (await cycleToKnownGood(drivers, machine.boot.readyMarker, RECOVERY_WAIT_MS)) ? 'good' : 'unknown';
      } catch (e) {
        log.warn(`could not recover ${machine.name}: ${(e as Error).message}; it stays unknown`);
      }
      await spool.close();
      await reporter.finished({ consoleLines: spool.lines, machineState });
      rmSync(runDir, { recursive: true, force: true });
      log.warn(`ended run ${runId} on ${machine.name} interrupted by an agent restart`);
      done.push(runId);
    } catch (e) {
      log.error(`could not end interrupted run ${runId}: ${(e as Error).message}`);
    }
  }
  return done;
}
