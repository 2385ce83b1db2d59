import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What payloads report (libs/contracts payload-events): one payload_results
 * row per tests: entry per run loop iteration (status, reason, unavailable
 * counters, warnings, seconds; kept even when the payload produced no sample,
 * so a SKIP shows with its reason), and measurements gain the kind of value
 * (sample | count | counter), its labels, and the payload result they came
 * from (deleted with it). Comparisons keep the options they were computed with.
 */
export class MeasurementDetails1763950000000 implements MigrationInterface {
  name = 'MeasurementDetails1763950000000';

  async up(q: QueryRunner): Promise<void> {
    const sql = (s: string) => q.query(s);
    await sql(`CREATE TABLE payload_results (
      id bigserial PRIMARY KEY,
      run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      job_id uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      payload text NOT NULL,
      test_index integer NOT NULL CONSTRAINT payload_results_test_index_check CHECK (test_index >= 0),
      test_iteration integer NOT NULL CONSTRAINT payload_results_test_iteration_check CHECK (test_iteration >= 0),
      status text NOT NULL CONSTRAINT payload_results_status_check CHECK (status IN ('ok','skip','fail','incomplete')),
      reason text,
      params jsonb NOT NULL DEFAULT '{}' CONSTRAINT payload_results_params_check CHECK (jsonb_typeof(params) = 'object'),
      counters jsonb NOT NULL DEFAULT '[]' CONSTRAINT payload_results_counters_check CHECK (jsonb_typeof(counters) = 'array'),
      unavailable jsonb NOT NULL DEFAULT '[]' CONSTRAINT payload_results_unavailable_check CHECK (jsonb_typeof(unavailable) = 'array'),
      problems jsonb NOT NULL DEFAULT '[]' CONSTRAINT payload_results_problems_check CHECK (jsonb_typeof(problems) = 'array'),
      warnings integer NOT NULL DEFAULT 0 CONSTRAINT payload_results_warnings_check CHECK (warnings >= 0),
      seconds double precision NOT NULL CONSTRAINT payload_results_seconds_check CHECK (seconds >= 0),
      reported_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT payload_results_run_test_uq UNIQUE (run_id, test_index, test_iteration))`);
    await sql(`ALTER TABLE measurements
      ADD COLUMN result_id bigint REFERENCES payload_results(id) ON DELETE CASCADE,
      ADD COLUMN kind text NOT NULL DEFAULT 'sample' CONSTRAINT measurements_kind_check CHECK (kind IN ('sample','count','counter')),
      ADD COLUMN labels jsonb NOT NULL DEFAULT '{}' CONSTRAINT measurements_labels_check CHECK (jsonb_typeof(labels) = 'object')`);
    await sql(`CREATE INDEX measurements_result_idx ON measurements (result_id)`);
    await sql(`CREATE INDEX measurements_created_idx ON measurements (created_at DESC, id DESC)`);
    await sql(`CREATE INDEX measurements_payload_metric_idx ON measurements (payload, metric)`);
    await sql(`ALTER TABLE comparisons ADD COLUMN options jsonb NOT NULL DEFAULT '{}' CONSTRAINT comparisons_options_check CHECK (jsonb_typeof(options) = 'object')`);
  }

  async down(q: QueryRunner): Promise<void> {
    const sql = (s: string) => q.query(s);
    await sql(`ALTER TABLE comparisons DROP COLUMN options`);
    for (const i of ['measurements_payload_metric_idx', 'measurements_created_idx', 'measurements_result_idx']) await sql(`DROP INDEX IF EXISTS ${i}`);
    await sql(`ALTER TABLE measurements DROP COLUMN labels, DROP COLUMN kind, DROP COLUMN result_id`);
    await sql(`DROP TABLE payload_results`);
  }
}
