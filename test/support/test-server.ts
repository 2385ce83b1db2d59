import 'reflect-metadata';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import type { AddressInfo } from 'node:net';
import { bootstrapAdmin } from '../../apps/server/src/admin';
import { loadServerConfig, type ServerConfig } from '../../apps/server/src/config/server-config';
import { migrate } from '../../apps/server/src/db/migrate';
import { createHttpApp } from '../../apps/server/src/http-app';
import { createTestDatabase, TEST_REDIS_URL, uniqueRedisPrefix, type TestDatabase } from './test-database';

/** Collects every log line the server writes, so tests can grep them for secrets. */
export class CollectingLogger implements LoggerService {
  readonly lines: string[] = [];
  private push(level: string, args: unknown[]) {
    this.lines.push(`${level} ${args.map((a) => (a instanceof Error ? a.stack : typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
  }
  log(...a: unknown[]) { this.push('log', a); }
  error(...a: unknown[]) { this.push('error', a); }
  warn(...a: unknown[]) { this.push('warn', a); }
  debug(...a: unknown[]) { this.push('debug', a); }
  verbose(...a: unknown[]) { this.push('verbose', a); }
}

/** A fetch Response whose json() is `any`, as tests inspect bodies freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export interface TestServer {
  url: string;
  adminToken: string;
  config: ServerConfig;
  db: TestDatabase;
  app: INestApplication;
  logger: CollectingLogger;
  /** fetch against the server with a token (default: the admin's). */
  api(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<TestResponse>;
  close(): Promise<void>;
}

/**
 * A real server for one test file: its own database (migrated from empty),
 * its own Redis key prefix, a random port on loopback, and an admin token
 * from the bootstrap command.
 */
export async function startTestServer(
  opts: { label?: string; redisUrl?: string; databaseUrlVia?: (url: string) => string; roles?: string; healthChecks?: boolean } = {},
): Promise<TestServer> {
  const db = await createTestDatabase(opts.label);
  const databaseUrl = opts.databaseUrlVia ? opts.databaseUrlVia(db.url) : db.url;
  await migrate(db.url);
  const config = loadServerConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: opts.redisUrl ?? TEST_REDIS_URL,
    PFNLAB_SECRETS_KEY: randomBytes(32).toString('base64'),
    PFNLAB_REDIS_PREFIX: uniqueRedisPrefix(opts.label),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    // API tests look at queued jobs; tests of the whole loop ask for the workers too.
    PFNLAB_SERVER_ROLES: opts.roles ?? 'api',
    // Health-check runs would take the machines tests hand their own runs; test/api/health-checks turns them on.
    PFNLAB_HEALTH_CHECKS: opts.healthChecks ? 'on' : 'off',
  });
  const boot = await bootstrapAdmin(db.url);
  if (!('token' in boot)) throw new Error('bootstrap did not create an admin');
  const logger = new CollectingLogger();
  const app = await createHttpApp(config, { logger: false });
  app.useLogger(logger);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const api: TestServer['api'] = (path, init = {}) => {
    const { token = boot.token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(url + path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
  };
  return {
    url,
    adminToken: boot.token,
    config,
    db,
    app,
    logger,
    api,
    async close() {
      await app.close();
      await deleteRedisPrefix(opts.redisUrl ?? TEST_REDIS_URL, config.redisPrefix).catch(() => undefined);
      await db.drop();
    },
  };
}

export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Creates a user with a role and returns a token for it. */
export async function tokenFor(server: TestServer, name: string, role: 'viewer' | 'operator' | 'admin'): Promise<{ token: string; userId: string; tokenId: string }> {
  const u = await server.api('/api/users', { method: 'POST', json: { name, role } });
  if (u.status !== 201) throw new Error(`create user: ${u.status} ${await u.text()}`);
  const user = (await u.json()) as { id: string };
  const t = await server.api(`/api/users/${user.id}/tokens`, { method: 'POST', json: { name: `${name}-token` } });
  const body = (await t.json()) as { token: string; id: string };
  return { token: body.token, userId: user.id, tokenId: body.id };
}

/**
 * Registers a machine through the API the way the API tests' fake labs
 * need it (IPMI power and SOL that no test reaches, netboot staging); fails
 * with the server's answer if the registration is refused.
 */
export async function addTestMachine(
  server: TestServer,
  m: { name: string; lab: string; arch: 'x86_64' | 'arm64' | 'ppc64le' | 's390x'; platform: string; memoryMiB?: number; tags?: string[] },
): Promise<{ id: string }> {
  const res = await server.api('/api/machines', {
    method: 'POST',
    json: {
      memoryMiB: 4096, ...m,
      power: { driver: 'ipmi', host: '127.0.0.1', username: 'admin', passwordRef: 'env:X' }, console: { driver: 'ipmi-sol' }, boot: { method: 'netboot', stagingDir: '/tmp/x/next' },
    },
  });
  if (res.status !== 201) throw new Error(`adding machine ${m.name}: ${res.status} ${await res.text()}`);
  return res.json();
}
