import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/server/src/db/data-source-options';
import { migrate } from '../../apps/server/src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const TABLES = [
  'agents', 'api_tokens', 'audit_log', 'bisections', 'builds', 'comparisons', 'console_chunks', 'crash_occurrences', 'crashes',
  'jobs', 'kernel_trees', 'labs', 'machine_health_events', 'machine_secrets', 'machines', 'measurements',
  'notification_routes', 'run_steps', 'runs', 'schema_migrations', 'users',
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
    expect(await migrate(db.url)).toEqual(['InitialSchema1763800000000']);
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
    } finally {
      await c.end();
    }
  });

  it('reverts cleanly', async () => {
    const ds = await new DataSource(dataSourceOptions(db.url)).initialize();
    try {
      await ds.undoLastMigration();
    } finally {
      await ds.destroy();
    }
    expect(await tables()).toEqual(['schema_migrations']);
  });
});
