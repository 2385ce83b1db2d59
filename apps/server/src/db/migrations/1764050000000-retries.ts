import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retries and flakiness (libs/scheduling retry-policy): a job whose kernel
 * both passed and failed is labelled flaky with its pass rate instead of
 * being called a regression; a machine counts the health checks it failed
 * in a row (the recovery after a run is one) and goes bad at a threshold,
 * and remembers its last check (idle machines are checked on a schedule).
 */
export class Retries1764050000000 implements MigrationInterface {
  name = 'Retries1764050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs ADD COLUMN flaky boolean NOT NULL DEFAULT false,
      ADD COLUMN pass_rate real CONSTRAINT jobs_pass_rate_check CHECK (pass_rate >= 0 AND pass_rate <= 1)`);
    await q.query(`ALTER TABLE machines ADD COLUMN failed_checks integer NOT NULL DEFAULT 0, ADD COLUMN checked_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE machines DROP COLUMN checked_at, DROP COLUMN failed_checks`);
    await q.query(`ALTER TABLE jobs DROP COLUMN pass_rate, DROP COLUMN flaky`);
  }
}
