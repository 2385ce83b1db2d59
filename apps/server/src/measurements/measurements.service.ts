import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { MetricSummary, PayloadResultView } from '@pfnlab/contracts';
import type { MeasurementQuery } from './measurement-schemas';

export interface MeasurementView {
  id: string;
  runId: string;
  jobId: string;
  buildId: string | null;
  machineId: string | null;
  arch: string;
  payload: string;
  kind: string;
  metric: string;
  iteration: number;
  value: number;
  unit: string;
  labels: Record<string, string>;
  createdAt: string;
}


/** Reads stored measurements and payload results. Written only by PayloadRecorder, from agents' reports. */
@Injectable()
export class MeasurementsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Newest first (by id, so stable under inserts); `nextCursor` fetches the next page. */
  async list(q: MeasurementQuery): Promise<{ items: MeasurementView[]; nextCursor: string | null }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (q.metric) add('metric = ?', q.metric);
    if (q.machine) add('machine_id = ?', q.machine);
    if (q.arch) add('arch = ?', q.arch);
    if (q.build) add('build_id = ?', q.build);
    if (q.job) add('job_id = ?', q.job);
    if (q.run) add('run_id = ?', q.run);
    if (q.payload) add('payload = ?', q.payload);
    if (q.kind) add('kind = ?', q.kind);
    if (q.cursor) add('id < ?::bigint', q.cursor);
    args.push(q.limit + 1);
    const rows: Array<Record<string, any>> = await this.db.query(
      `SELECT id, run_id, job_id, build_id, machine_id, arch, payload, kind, metric, iteration, value, unit, labels, created_at
       FROM measurements ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`,
      args,
    );
    const items = rows.slice(0, q.limit).map(toView);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
  }

  /** A run's payload results in test order, each with its counters and a per-metric summary of its values. */
  async runResults(runId: string): Promise<{ runId: string; jobId: string; results: PayloadResultView[] }> {
    const run: Array<{ job_id: string }> = await this.db.query(`SELECT job_id FROM runs WHERE id = $1`, [runId]);
    if (!run.length) throw new NotFoundException(`no run ${runId}`);
    const results: Array<Record<string, any>> = await this.db.query(
      `SELECT * FROM payload_results WHERE run_id = $1 ORDER BY test_iteration, test_index`,
      [runId],
    );
    const summaries: Array<Record<string, any>> = await this.db.query(
      `SELECT result_id, metric, kind, unit, count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median, min(value) AS min, max(value) AS max
       FROM measurements WHERE run_id = $1 AND result_id IS NOT NULL GROUP BY result_id, metric, kind, unit ORDER BY metric`,
      [runId],
    );
    return {
      runId,
      jobId: run[0].job_id,
      results: results.map((r) => ({
        payload: r.payload,
        testIndex: r.test_index,
        testIteration: r.test_iteration,
        status: r.status,
        reason: r.reason,
        params: r.params,
        warnings: r.warnings,
        seconds: r.seconds,
        unavailable: r.unavailable,
        problems: r.problems,
        counters: r.counters,
        metrics: summaries
          .filter((s) => s.result_id === r.id)
          .map((s) => ({ metric: s.metric, kind: s.kind, unit: s.unit, n: s.n, median: Number(s.median), min: Number(s.min), max: Number(s.max) })),
        reportedAt: new Date(r.reported_at).toISOString(),
      })),
    };
  }
}

function toView(r: Record<string, any>): MeasurementView {
  return {
    id: String(r.id), runId: r.run_id, jobId: r.job_id, buildId: r.build_id, machineId: r.machine_id, arch: r.arch, payload: r.payload,
    kind: r.kind, metric: r.metric, iteration: r.iteration, value: Number(r.value), unit: r.unit, labels: r.labels,
    createdAt: new Date(r.created_at).toISOString(),
  };
}
