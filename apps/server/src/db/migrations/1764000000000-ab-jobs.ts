import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A/B jobs (a job with a `baseline:`): each run is of the baseline or the
 * candidate variant and belongs to round 1 (measure) or round 2 (confirm a
 * regression); iterations are unique per variant. The job keeps its A/B
 * state and the comparison that decided it; comparisons made for a job
 * name it and their round.
 */
export class AbJobs1764000000000 implements MigrationInterface {
  name = 'AbJobs1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const sql = (s: string) => q.query(s);
    await sql(`ALTER TABLE runs
      ADD COLUMN variant text NOT NULL DEFAULT 'candidate' CONSTRAINT runs_variant_check CHECK (variant IN ('baseline','candidate')),
      ADD COLUMN round integer NOT NULL DEFAULT 1 CONSTRAINT runs_round_check CHECK (round IN (1, 2))`);
    await sql(`ALTER TABLE runs DROP CONSTRAINT runs_job_iteration_attempt_uq`);
    await sql(`ALTER TABLE runs ADD CONSTRAINT runs_job_variant_iteration_attempt_uq UNIQUE (job_id, variant, iteration, attempt)`);
    await sql(`ALTER TABLE comparisons
      ADD COLUMN job_id uuid REFERENCES jobs(id) ON DELETE CASCADE,
      ADD COLUMN round integer CONSTRAINT comparisons_round_check CHECK (round IN (1, 2))`);
    await sql(`CREATE INDEX comparisons_job_idx ON comparisons (job_id, created_at)`);
    await sql(`ALTER TABLE jobs
      ADD COLUMN ab_state text CONSTRAINT jobs_ab_state_check
        CHECK (ab_state IN ('measuring','confirming','regression-confirmed','regression-not-confirmed','no-regression')),
      ADD COLUMN ab_summary text,
      ADD COLUMN comparison_id uuid REFERENCES comparisons(id) ON DELETE SET NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    const sql = (s: string) => q.query(s);
    await sql(`ALTER TABLE jobs DROP COLUMN comparison_id, DROP COLUMN ab_summary, DROP COLUMN ab_state`);
    await sql(`DROP INDEX IF EXISTS comparisons_job_idx`);
    await sql(`ALTER TABLE comparisons DROP COLUMN round, DROP COLUMN job_id`);
    await sql(`ALTER TABLE runs DROP CONSTRAINT runs_job_variant_iteration_attempt_uq`);
    await sql(`DELETE FROM runs WHERE variant = 'baseline'`);
    await sql(`ALTER TABLE runs ADD CONSTRAINT runs_job_iteration_attempt_uq UNIQUE (job_id, iteration, attempt)`);
    await sql(`ALTER TABLE runs DROP COLUMN round, DROP COLUMN variant`);
  }
}
