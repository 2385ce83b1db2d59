import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { TokenService } from './auth/token.service';
import { UsersService } from './auth/users.service';
import { ConfigError, loadServerConfig } from './config/server-config';
import { dataSourceOptions } from './db/data-source-options';
import { ApiTokenEntity, MachineSecretEntity, UserEntity } from './db/entities';
import { migrate } from './db/migrate';
import { SecretBox } from './secrets/secret-box';

/*
 * Server-side administration that needs the database, not the API:
 *   migrate          apply pending migrations
 *   bootstrap-admin  create the first admin and print its token once
 *   rotate-secrets   re-encrypt stored machine secrets with the current key
 */
const USAGE = 'usage: pfnlab-admin migrate | bootstrap-admin | rotate-secrets';

export async function bootstrapAdmin(databaseUrl: string): Promise<{ token: string } | { exists: true }> {
  const ds = await new DataSource(dataSourceOptions(databaseUrl)).initialize();
  try {
    const tokens = new TokenService(ds.getRepository(ApiTokenEntity), ds.getRepository(UserEntity));
    return await new UsersService(ds.getRepository(UserEntity), tokens).bootstrapAdmin();
  } finally {
    await ds.destroy();
  }
}

export async function rotateSecrets(databaseUrl: string, box: SecretBox): Promise<number> {
  const ds = await new DataSource(dataSourceOptions(databaseUrl)).initialize();
  try {
    return await ds.transaction(async (em) => {
      const rows = await em.find(MachineSecretEntity, { lock: { mode: 'pessimistic_write' } });
      let n = 0;
      for (const row of rows.filter((r) => box.isStale(r.ciphertext))) {
        await em.update(MachineSecretEntity, { id: row.id }, { ciphertext: box.encrypt(box.decrypt(row.ciphertext)) });
        n++;
      }
      return n;
    });
  } finally {
    await ds.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const config = loadServerConfig();
  switch (argv[0]) {
    case 'migrate': {
      const names = await migrate(config.databaseUrl, (s) => process.stdout.write(`${s}\n`));
      process.stdout.write(names.length ? `${names.length} migration(s) applied\n` : 'schema is up to date\n');
      return 0;
    }
    case 'bootstrap-admin': {
      const r = await bootstrapAdmin(config.databaseUrl);
      if ('exists' in r) {
        process.stderr.write('an admin exists already; ask an admin for a token (POST /api/users/:id/tokens)\n');
        return 1;
      }
      process.stdout.write(`${r.token}\n`);
      process.stderr.write('This is the admin token; it is shown once. Use it with `pfnlab login --token -`.\n');
      return 0;
    }
    case 'rotate-secrets': {
      const n = await rotateSecrets(config.databaseUrl, new SecretBox(config.secretsKey, config.oldSecretsKeys));
      process.stdout.write(`re-encrypted ${n} secret(s) with the current key\n`);
      return 0;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err) => {
      process.stderr.write(`pfnlab-admin: ${err instanceof ConfigError ? err.message : err?.message ?? err}\n`);
      process.exit(err instanceof ConfigError ? 2 : 1);
    });
}
