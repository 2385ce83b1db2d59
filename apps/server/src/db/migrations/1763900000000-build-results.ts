import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an agent reports about a kernel build (libs/contracts build-events):
 * the job and run it was made for, live progress, and the result (reuse,
 * store location, errors, dropped Kconfig options, size delta, the log).
 * `artifacts` becomes a list of files ({name, bytes, sha256}), with the boot
 * image's name beside it.
 */
export class BuildResults1763900000000 implements MigrationInterface {
  name = 'BuildResults1763900000000';

  async up(q: QueryRunner): Promise<void> {
    const sql = (s: string) => q.query(s);
    await sql(`ALTER TABLE builds
      ADD COLUMN job_id uuid REFERENCES jobs(id) ON DELETE SET NULL,
      ADD COLUMN run_id uuid REFERENCES runs(id) ON DELETE SET NULL,
      ADD COLUMN phase text CONSTRAINT builds_phase_check CHECK (phase IN ('fetch','worktree','patch','config','compile','package')),
      ADD COLUMN progress jsonb CONSTRAINT builds_progress_check CHECK (progress IS NULL OR jsonb_typeof(progress) = 'object'),
      ADD COLUMN reused boolean NOT NULL DEFAULT false,
      ADD COLUMN seconds double precision CONSTRAINT builds_seconds_check CHECK (seconds >= 0),
      ADD COLUMN image text,
      ADD COLUMN location text,
      ADD COLUMN errors jsonb NOT NULL DEFAULT '[]' CONSTRAINT builds_errors_check CHECK (jsonb_typeof(errors) = 'array'),
      ADD COLUMN warnings integer NOT NULL DEFAULT 0 CONSTRAINT builds_warnings_check CHECK (warnings >= 0),
      ADD COLUMN dropped_options jsonb NOT NULL DEFAULT '[]' CONSTRAINT builds_dropped_options_check CHECK (jsonb_typeof(dropped_options) = 'array'),
      ADD COLUMN size_delta jsonb CONSTRAINT builds_size_delta_check CHECK (size_delta IS NULL OR jsonb_typeof(size_delta) = 'object'),
      ADD COLUMN log text CONSTRAINT builds_log_check CHECK (octet_length(log) <= 2097152)`);
    // Files of the build: a list now (the initial schema had an empty object as a placeholder).
    await sql(`UPDATE builds SET artifacts = '[]' WHERE artifacts = '{}'`);
    await sql(`ALTER TABLE builds ALTER COLUMN artifacts SET DEFAULT '[]'`);
    await sql(`ALTER TABLE builds ADD CONSTRAINT builds_artifacts_check CHECK (jsonb_typeof(artifacts) = 'array')`);
    await sql(`ALTER TABLE builds ADD CONSTRAINT builds_toolchain_check CHECK (toolchain IN ('gcc','llvm'))`);
    // A finished build knows when it finished; a running one has not.
    await sql(`ALTER TABLE builds ADD CONSTRAINT builds_running_unfinished_check CHECK (status NOT IN ('queued','running') OR finished_at IS NULL)`);
    await sql(`CREATE INDEX builds_job_created_idx ON builds (job_id, created_at DESC) WHERE job_id IS NOT NULL`);
    await sql(`CREATE INDEX builds_run_idx ON builds (run_id) WHERE run_id IS NOT NULL`);
    await sql(`CREATE INDEX builds_arch_created_idx ON builds (arch, created_at DESC)`);
    await sql(`CREATE INDEX builds_created_idx ON builds (created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    const sql = (s: string) => q.query(s);
    for (const i of ['builds_created_idx', 'builds_arch_created_idx', 'builds_run_idx', 'builds_job_created_idx']) await sql(`DROP INDEX IF EXISTS ${i}`);
    for (const c of ['builds_running_unfinished_check', 'builds_toolchain_check', 'builds_artifacts_check']) await sql(`ALTER TABLE builds DROP CONSTRAINT IF EXISTS ${c}`);
    await sql(`ALTER TABLE builds ALTER COLUMN artifacts SET DEFAULT '{}'`);
    await sql(`UPDATE builds SET artifacts = '{}' WHERE artifacts = '[]'`);
    await sql(`ALTER TABLE builds
      DROP COLUMN log, DROP COLUMN size_delta, DROP COLUMN dropped_options, DROP COLUMN warnings, DROP COLUMN errors,
      DROP COLUMN location, DROP COLUMN image, DROP COLUMN seconds, DROP COLUMN reused, DROP COLUMN progress,
      DROP COLUMN phase, DROP COLUMN run_id, DROP COLUMN job_id`);
  }
}
