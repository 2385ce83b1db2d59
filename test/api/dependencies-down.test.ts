import IORedis from 'ioredis';
import { Client } from 'pg';
import { TEST_PG_URL } from '../support/test-database';
import { freePort, RedisInstance } from '../support/redis-instance';
import { TcpProxy } from '../support/tcp-proxy';
import { eventually } from '../support/eventually';
import { startTestServer, tokenFor, type TestServer } from '../support/test-server';

const JOB = { kernel: { tree: '/srv/linux', ref: 'main' }, arch: 'x86_64', target: { machine: 'x86-01' } };


describe('submit while Redis is down', () => {
  let redis: RedisInstance;
  let s: TestServer;
  let operator: string;

  beforeAll(async () => {
    redis = new RedisInstance(await freePort());
    await redis.start();
    s = await startTestServer({ label: 'redisdown', redisUrl: redis.url });
    operator = (await tokenFor(s, 'op', 'operator')).token;
  });
  afterAll(async () => {
    await s.close().catch(() => undefined);
    await redis.kill();
  });

  it('answers 503 naming Redis, writes no job row, and recovers when Redis is back', async () => {
    expect((await s.api('/api/jobs', { method: 'POST', token: operator, json: JOB })).status).toBe(201);
    await redis.kill();
    const res = await s.api('/api/jobs', { method: 'POST', token: operator, json: { ...JOB, name: 'during outage' } });
    expect(res.status).toBe(503);
    expect((await res.json()).message).toMatch(/Redis is unavailable; nothing was saved/);
    const ready = await s.api('/readyz', { token: null });
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.redis.ok).toBe(false);

    const pg = new Client({ connectionString: s.db.url });
    await pg.connect();
    try {
      expect((await pg.query(`SELECT count(*) FROM jobs WHERE name = 'during outage'`)).rows[0].count).toBe('0');
      expect((await pg.query(`SELECT count(*) FROM jobs`)).rows[0].count).toBe('1');
    } finally {
      await pg.end();
    }

    await redis.start();
    const after = await eventually(() => s.api('/api/jobs', { method: 'POST', token: operator, json: { ...JOB, name: 'after outage' } }), (r) => r.status === 201);
    expect(after.status).toBe(201);
    expect((await s.api('/readyz', { token: null })).status).toBe(200);
  });
});

describe('submit while PostgreSQL is unreachable', () => {
  let proxy: TcpProxy;
  let s: TestServer;
  let operator: string;

  beforeAll(async () => {
    const pgUrl = new URL(TEST_PG_URL);
    proxy = new TcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    await proxy.start();
    // The server reaches its database through the proxy; the test checks it directly.
    s = await startTestServer({ label: 'pgdown', databaseUrlVia: (u) => { const x = new URL(u); x.port = String(proxy.port); return x.toString(); } });
    operator = (await tokenFor(s, 'op', 'operator')).token;
  });
  afterAll(async () => {
    await proxy.restore();
    await s.close();
    await proxy.cut();
  });

  it('answers 503, leaves no queue entry behind, and recovers', async () => {
    const redis = new IORedis(s.config.redisUrl);
    const queued = async () => (await redis.keys(`${s.config.redisPrefix}:jobs:*-*`)).length;
    try {
      expect((await s.api('/api/jobs', { method: 'POST', token: operator, json: JOB })).status).toBe(201);
      const before = await queued();
      // Authenticate first: with the database gone even token checks fail, which must also be a 503.
      await proxy.cut();
      const res = await s.api('/api/jobs', { method: 'POST', token: operator, json: JOB });
      expect(res.status).toBe(503);
      expect(await queued()).toBe(before);
      expect((await s.api('/readyz', { token: null })).status).toBe(503);
      await proxy.restore();
      const after = await eventually(() => s.api('/api/jobs', { method: 'POST', token: operator, json: JOB }), (r) => r.status === 201);
      expect(after.status).toBe(201);
      expect(await queued()).toBe(before + 1);
    } finally {
      redis.disconnect();
    }
  });
});
