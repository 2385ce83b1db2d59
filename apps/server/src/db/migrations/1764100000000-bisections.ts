import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bisections run by the server: the resolved endpoints, libs/bisect's
 * serialised state (every decision is recomputed from it), the step job
 * under way, a progress line and the final decision. The state column gets
 * its enumeration checked like the others.
 */
export class Bisections1764100000000 implements MigrationInterface {
  name = 'Bisections1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bisections
      ADD COLUMN good_commit text,
      ADD COLUMN bad_commit text,
      ADD COLUMN bisect_state jsonb,
      ADD COLUMN current_job_id uuid REFERENCES jobs(id) ON DELETE SET NULL,
      ADD COLUMN current_commit text,
      ADD COLUMN progress text,
      ADD COLUMN result jsonb,
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`ALTER TABLE bisections ADD CONSTRAINT bisections_state_check CHECK (state IN ('running','found','cannot-bisect','canceled','error'))`);
    // The sweep looks for running bisections whose step job has ended.
    await q.query(`CREATE INDEX bisections_current_job_idx ON bisections (current_job_id) WHERE state = 'running'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS bisections_current_job_idx`);
    await q.query(`ALTER TABLE bisections DROP CONSTRAINT bisections_state_check`);
    await q.query(`ALTER TABLE bisections
      DROP COLUMN updated_at, DROP COLUMN result, DROP COLUMN progress, DROP COLUMN current_commit,
      DROP COLUMN current_job_id, DROP COLUMN bisect_state, DROP COLUMN bad_commit, DROP COLUMN good_commit`);
  }
}
