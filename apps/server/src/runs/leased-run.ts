import type { EntityManager } from 'typeorm';
import { RunEntity } from '../db/entities';
import type { MachineLeases } from '../dispatch/machine-leases';

/**
 * The fence every report from an agent passes (builds, payload results):
 * the run exists, is not over, and the report carries the run's current
 * lease. Locks the run row for the caller's transaction; returns why not
 * otherwise, so a stale holder's writes are refused, never applied.
 */
export async function lockLeasedRun(em: EntityManager, leases: MachineLeases, runId: string, leaseToken: string): Promise<{ run: RunEntity & { machineId: string } } | { stale: string }> {
  const run = await em.findOne(RunEntity, { where: { id: runId }, lock: { mode: 'pessimistic_write' } });
  if (!run) return { stale: 'no such run' };
  if (run.state === 'finished') return { stale: 'the run is over' };
  if (run.leaseToken !== leaseToken || !run.machineId || !(await leases.holds(run.machineId, run.id, leaseToken, em))) {
    return { stale: `lease ${leaseToken} is not the run's current lease` };
  }
  return { run: run as RunEntity & { machineId: string } };
}
