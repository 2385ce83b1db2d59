import { randomBytes } from 'node:crypto';
import type { PayloadResultEvent } from '@pfnlab/contracts';
import type { BuildLab, LeasedRun } from './build-fixtures';

/*
 * Payload results as an agent reports them, and jobs with several leased
 * runs, for the measurements API and `pfnlab compare` tests.
 */

type Sample = PayloadResultEvent['samples'][number];

export function payloadEvent(run: LeasedRun, o: Partial<PayloadResultEvent> = {}): PayloadResultEvent {
  return {
    type: 'payload',
    runId: run.runId,
    leaseToken: run.leaseToken,
    test: { name: 'hotplug-add-remove', index: 0, iteration: 0 },
    status: 'ok',
    reason: null,
    params: { iterations: '3' },
    samples: [],
    counts: [],
    counters: [],
    unavailable: [],
    problems: [],
    warnings: 0,
    seconds: 12.5,
    at: new Date().toISOString(),
    ...o,
  };
}

/** Three iterations of each metric, spread around `center` (the run's median is `center`). */
export function samplesAround(metric: string, center: number): Sample[] {
  return [0.98, 1, 1.03].map((f, iteration) => ({ metric, value: Math.round(center * f), unit: 'ns' as const, iteration, labels: { block: `memory${32 + iteration}` } }));
}

/** `n` runs of one job, each on its own machine leased to it with token 7. */
export async function leasedRuns(lab: BuildLab, n: number): Promise<LeasedRun[]> {
  const first = await lab.leasedRun();
  const runs = [first];
  const labId = (await lab.pg.query(`SELECT lab_id FROM machines WHERE id = $1`, [first.machineId])).rows[0].lab_id;
  for (let i = 1; i < n; i++) {
    const machineId = (await lab.pg.query(
      `INSERT INTO machines (name, lab_id, arch, platform, memory_mib, power, console, boot, health) VALUES ($1, $2, 'x86_64', 'x86-server', 1024, '{}', '{}', '{}', 'good') RETURNING id`,
      [`m-${randomBytes(4).toString('hex')}`, labId],
    )).rows[0].id;
    const runId = (await lab.pg.query(`INSERT INTO runs (job_id, machine_id, lease_token, state, iteration) VALUES ($1, $2, 7, 'running', $3) RETURNING id`, [first.jobId, machineId, i])).rows[0].id;
    await lab.pg.query(`UPDATE machines SET lease_run_id = $1, lease_token = 7, lease_expires_at = now() + interval '1 hour' WHERE id = $2`, [runId, machineId]);
    runs.push({ runId, jobId: first.jobId, machineId, leaseToken: '7' });
  }
  return runs;
}

/**
 * Two jobs of `n` runs: `add_ns` 20% slower in the candidate (with some
 * run-to-run spread), `online_ns` the same on both sides.
 */
export async function abJobs(lab: BuildLab, push: (e: PayloadResultEvent) => Promise<unknown>, n = 6): Promise<{ baseline: LeasedRun[]; candidate: LeasedRun[] }> {
  const baseline = await leasedRuns(lab, n);
  const candidate = await leasedRuns(lab, n);
  for (const [runs, slow] of [[baseline, 1], [candidate, 1.2]] as const) {
    for (const [i, run] of runs.entries()) {
      const spread = 1 + (i - n / 2) * 0.01;
      await push(payloadEvent(run, { samples: [...samplesAround('add_ns', 100_000 * slow * spread), ...samplesAround('online_ns', 50_000 * spread)] }));
    }
  }
  return { baseline, candidate };
}
