import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { PayloadResultEvent } from '@pfnlab/contracts';
import { MachineEntity, RunEntity } from '../db/entities';
import { MachineLeases } from '../dispatch/machine-leases';
import { lockLeasedRun } from '../runs/leased-run';
import { measurementRows, type MeasurementRow } from './measurement-rows';

/** Rows per INSERT (unnest of arrays: one statement, whatever the row count). */
const CHUNK = 5000;

type Outcome = { result: 'applied'; rows: number } | { result: 'unchanged' | 'stale'; why: string };

/**
 * Applies the agents' `payload` run events: one payload_results row per
 * (run, tests: index, run loop iteration), and its samples, counts and
 * counter fields as measurement rows (see measurement-rows.ts for the metric
 * names), with the run's job, build, machine and the machine's arch.
 *
 * Fenced like every run event: the run must be unfinished and the event's
 * lease token its machine's current lease, or nothing is written.
 * Idempotent: the first report of a (run, index, iteration) is kept and a
 * redelivered (or repeated) one is ignored, so rows are never duplicated;
 * the result row and its measurements are written in one transaction.
 */
@Injectable()
export class PayloadRecorder {
  private readonly log = new Logger(PayloadRecorder.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly leases: MachineLeases,
  ) {}

  async apply(e: PayloadResultEvent): Promise<'applied' | 'stale'> {
    const outcome: Outcome = Number.isNaN(Date.parse(e.at))
      ? { result: 'stale', why: `"at" is not a timestamp: ${JSON.stringify(e.at.slice(0, 40))}` }
      : await this.db.transaction((em) => this.record(em, e));
    const what = `${e.test.name} result (test ${e.test.index}, iteration ${e.test.iteration}) of run ${e.runId}`;
    if (outcome.result === 'applied') {
      this.log.debug(`stored the ${what}: ${outcome.rows} measurements`);
      return 'applied';
    }
    if (outcome.result === 'stale') this.log.warn(`ignored the ${what}: ${outcome.why}`);
    else this.log.debug(`nothing to change for the ${what}: ${outcome.why}`);
    return 'stale';
  }

  private async record(em: EntityManager, e: PayloadResultEvent): Promise<Outcome> {
    const fenced = await lockLeasedRun(em, this.leases, e.runId, e.leaseToken);
    if ('stale' in fenced) return { result: 'stale', why: fenced.stale };
    const run = fenced.run;
    const machine = await em.findOneByOrFail(MachineEntity, { id: run.machineId });
    const inserted: Array<{ id: string }> = await em.query(
      `INSERT INTO payload_results (run_id, job_id, payload, test_index, test_iteration, status, reason, params, counters, unavailable, problems, warnings, seconds, reported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (run_id, test_index, test_iteration) DO NOTHING RETURNING id`,
      [
        run.id, run.jobId, e.test.name, e.test.index, e.test.iteration, e.status, e.reason,
        JSON.stringify(e.params), JSON.stringify(e.counters), JSON.stringify(e.unavailable), JSON.stringify(e.problems),
        e.warnings, e.seconds, new Date(e.at),
      ],
    );
    if (!inserted.length) return { result: 'unchanged', why: 'already stored (a redelivered event)' };
    const rows = measurementRows(e);
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.insertRows(em, rows.slice(i, i + CHUNK), { resultId: inserted[0].id, run, machine, payload: e.test.name });
    }
    return { result: 'applied', rows: rows.length };
  }

  private async insertRows(em: EntityManager, rows: MeasurementRow[], c: { resultId: string; run: RunEntity; machine: MachineEntity; payload: string }): Promise<void> {
    await em.query(
      `INSERT INTO measurements (result_id, run_id, job_id, build_id, machine_id, arch, payload, kind, metric, iteration, value, unit, labels)
       SELECT $1, $2, $3, $4, $5, $6, $7, t.kind, t.metric, t.iteration, t.value, t.unit, t.labels
       FROM unnest($8::text[], $9::text[], $10::int[], $11::float8[], $12::text[], $13::jsonb[]) AS t(kind, metric, iteration, value, unit, labels)`,
      [
        c.resultId, c.run.id, c.run.jobId, c.run.buildId, c.machine.id, c.machine.arch, c.payload,
        rows.map((r) => r.kind), rows.map((r) => r.metric), rows.map((r) => r.iteration), rows.map((r) => r.value),
        rows.map((r) => r.unit), rows.map((r) => JSON.stringify(r.labels)),
      ],
    );
  }
}
