import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL and exits.
 * Safe to run on every deploy: applied migrations are recorded and skipped,
 * and each runs in its own transaction.
 */
export async function migrate(databaseUrl: string, log: (s: string) => void = () => {}): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(databaseUrl));
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`applied migration ${m.name}`);
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('migrate: DATABASE_URL is not set (see .env.example)\n');
    process.exit(2);
  }
  migrate(url, (s) => process.stdout.write(`${s}\n`))
    .then((names) => process.stdout.write(names.length ? `${names.length} migration(s) applied\n` : 'schema is up to date\n'))
    .catch((err) => {
      process.stderr.write(`migrate: ${err.message}\n`);
      process.exit(1);
    });
}
