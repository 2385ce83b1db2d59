import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/server/src/db/data-source-options';
import { migrate } from '../../apps/server/src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const TABLES = [
  'agents', 'api_tokens', 'audit_log', 'bisections', 'builds', 'comparisons', 'console_chunks', 'crash_occurrences', 'crashes',
  'jobs', 'kernel_trees', 'labs', 'machine_health_events', 'machine_secrets', 'machines', 'measurements',
  'notification_routes', 'payload_results', 'run_steps', 'runs', 'schema_migrations', 'users',
];

describe('migrations on an empty database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('mig');
  });
  afterAll(async () => db.drop());

  async function tables(): Promise<string[]> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const r = await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
      return r.rows.map((x) => x.table_name);
    } finally {
      await c.end();
    }
  }

  it('creates every table, then finds nothing left to apply', async () => {
    expect(await tables()).toEqual([]);
    expect(await migrate(db.url)).toEqual(['InitialSchema1763800000000', 'BuildResults1763900000000', 'MeasurementDetails1763950000000', 'AbJobs1764000000000', 'Retries1764050000000', 'Bisections1764100000000']);
    expect(await tables()).toEqual(TABLES);
    expect(await migrate(db.url)).toEqual([]);
  });

  it('matches the entities: TypeORM sees no column to add or change', async () => {
    const ds = await new DataSource(dataSourceOptions(db.url)).initialize();
    try {
      const pending = await ds.driver.createSchemaBuilder().log();
      // Index and constraint names differ by design (the migration names them); columns must not.
      const columnChanges = pending.upQueries.map((q) => q.query).filter((q) => /ADD "|ALTER COLUMN|CREATE TABLE|DROP COLUMN/.test(q));
      expect(columnChanges).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('enforces the enumerations in the database too', async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query(`INSERT INTO labs (name) VALUES ('l1')`);
      await expect(
        c.query(`INSERT INTO machines (name, lab_id, arch, platform, memory_mib, power, console, boot, health)
                 SELECT 'm', id, 'sparc', 'x86-server', 1024, '{}', '{}', '{}', 'good' FROM labs`),
      ).rejects.toThrow(/check constraint/);
      await expect(c.query(`INSERT INTO users (name, role) VALUES ('u', 'root')`)).rejects.toThrow(/check constraint/);
      const build = (phase: string, status: string, finishedAt: string) =>
        c.query(`INSERT INTO builds (tree_url, ref, config, arch, status, phase, finished_at) VALUES ('/srv/linux', 'v6.1', '{}', 'x86_64', $1, $2, ${finishedAt})`, [status, phase]);
      await expect(build('link', 'running', 'NULL')).rejects.toThrow(/builds_phase_check/);
      await expect(build('compile', 'running', 'now()')).rejects.toThrow(/builds_running_unfinished_check/);
      await expect(build('compile', 'running', 'NULL')).resolves.toBeTruthy();
      await expect(c.query(`UPDATE builds SET warnings = -1`)).rejects.toThrow(/builds_warnings_check/);
      await expect(c.query(`UPDATE builds SET errors = '{}'`)).rejects.toThrow(/builds_errors_check/);
      await c.query(`DELETE FROM builds`);
      await expect(c.query(`INSERT INTO payload_results (run_id, job_id, payload, test_index, test_iteration, status, seconds, reported_at)
        VALUES (gen_random_uuid(), gen_random_uuid(), 'p', 0, 0, 'maybe', 1, now())`)).rejects.toThrow(/payload_results_status_check/);
      await expect(c.query(`INSERT INTO jobs (spec, arch, priority, ab_state) VALUES ('{}', 'x86_64', 50, 'maybe')`)).rejects.toThrow(/jobs_ab_state_check/);
      const job = (await c.query(`INSERT INTO jobs (spec, arch, priority) VALUES ('{}', 'x86_64', 50) RETURNING id`)).rows[0].id;
      await expect(c.query(`INSERT INTO runs (job_id, variant) VALUES ($1, 'control')`, [job])).rejects.toThrow(/runs_variant_check/);
      await expect(c.query(`INSERT INTO bisections (good_ref, bad_ref, criterion, spec, state) VALUES ('v1', 'v2', 'boot', '{}', 'maybe')`)).rejects.toThrow(/bisections_state_check/);
      await expect(c.query(`INSERT INTO runs (job_id, round) VALUES ($1, 3)`, [job])).rejects.toThrow(/runs_round_check/);
      // One run per variant, iteration and attempt: a baseline and a candidate run share an iteration number.
      await c.query(`INSERT INTO runs (job_id, variant, iteration) VALUES ($1, 'baseline', 0), ($1, 'candidate', 0)`, [job]);
      await expect(c.query(`INSERT INTO runs (job_id, variant, iteration) VALUES ($1, 'baseline', 0)`, [job])).rejects.toThrow(/runs_job_variant_iteration_attempt_uq/);
      await c.query(`DELETE FROM jobs WHERE id = $1`, [job]);
    } finally {
      await c.end();
    }
  });

  async function buildColumns(table = 'builds'): Promise<string[]> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const r = await c.query(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table]);
      return r.rows.map((x) => x.column_name);
    } finally {
      await c.end();
    }
  }

  it('reverts cleanly, one migration at a time', async () => {
    const ds = await new DataSource(dataSourceOptions(db.url)).initialize();
    try {
      expect(await buildColumns('bisections')).toEqual(expect.arrayContaining(['bisect_state', 'current_job_id', 'progress', 'result']));
      await ds.undoLastMigration();
      expect(await buildColumns('bisections')).toEqual([
        'id', 'state', 'good_ref', 'bad_ref', 'criterion', 'spec', 'steps', 'culprit', 'conclusion', 'created_by', 'created_at', 'finished_at',
      ]);
      expect(await buildColumns('jobs')).toEqual(expect.arrayContaining(['flaky', 'pass_rate']));
      expect(await buildColumns('machines')).toEqual(expect.arrayContaining(['failed_checks', 'checked_at']));
      await ds.undoLastMigration();
      expect(await buildColumns('jobs')).not.toContain('flaky');
      expect(await buildColumns('machines')).not.toContain('failed_checks');
      expect(await buildColumns('machines')).not.toContain('checked_at');
      expect(await buildColumns('runs')).toEqual(expect.arrayContaining(['variant', 'round']));
      expect(await buildColumns('jobs')).toEqual(expect.arrayContaining(['ab_state', 'ab_summary', 'comparison_id']));
      await ds.undoLastMigration();
      expect(await buildColumns('runs')).not.toContain('variant');
      expect(await buildColumns('jobs')).not.toContain('ab_state');
      expect(await buildColumns('comparisons')).not.toContain('job_id');
      expect(await buildColumns('measurements')).toEqual(expect.arrayContaining(['result_id', 'kind', 'labels']));
      await ds.undoLastMigration();
      expect(await buildColumns('measurements')).toEqual([
        'id', 'run_id', 'job_id', 'build_id', 'machine_id', 'arch', 'payload', 'metric', 'iteration', 'value', 'unit', 'created_at',
      ]);
      expect(await buildColumns('comparisons')).not.toContain('options');
      expect(await tables()).toEqual(TABLES.filter((t) => t !== 'payload_results'));
      expect(await buildColumns()).toEqual(expect.arrayContaining(['job_id', 'run_id', 'progress', 'dropped_options', 'size_delta', 'log']));
      await ds.undoLastMigration();
      expect(await buildColumns()).toEqual([
        'id', 'tree_id', 'tree_url', 'ref', 'commit', 'patches', 'config', 'arch', 'toolchain', 'status', 'title',
        'content_hash', 'artifacts', 'metadata', 'created_at', 'started_at', 'finished_at',
      ]);
      expect(await tables()).toEqual(TABLES.filter((t) => t !== 'payload_results'));
      await ds.undoLastMigration();
    } finally {
      await ds.destroy();
    }
    expect(await tables()).toEqual(['schema_migrations']);
  });
});
