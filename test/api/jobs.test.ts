import IORedis from 'ioredis';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startTestServer, tokenFor, type TestServer } from '../support/test-server';

const EXAMPLE = readFileSync(join(__dirname, '../../deploy/examples/boot-x86.yaml'), 'utf8');

describe('jobs API against real PostgreSQL and Redis', () => {
  let s: TestServer;
  let operator: string;
  let redis: IORedis;
  let pg: Client;

  beforeAll(async () => {
    s = await startTestServer({ label: 'jobs' });
    operator = (await tokenFor(s, 'dev1', 'operator')).token;
    redis = new IORedis(s.config.redisUrl);
    pg = new Client({ connectionString: s.db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    redis.disconnect();
    await s.close();
  });

  const submitYaml = (text: string, token = operator) =>
    s.api('/api/jobs', { method: 'POST', token, headers: { 'content-type': 'application/yaml' }, body: text });
  const queueKey = (id: string) => `${s.config.redisPrefix}:jobs:${id}`;

  it('persists and enqueues a YAML job as one unit', async () => {
    const res = await submitYaml(EXAMPLE);
    expect(res.status).toBe(201);
    const job = await res.json();
    expect(job).toMatchObject({ state: 'queued', arch: 'x86_64', priority: 50 });
    expect(job.spec.boot.cmdline).toContain('memhp_default_state=online');
    const row = await pg.query('SELECT state, spec FROM jobs WHERE id = $1', [job.id]);
    expect(row.rows[0].state).toBe('queued');
    expect(await redis.hget(queueKey(job.id), 'data')).toBe(JSON.stringify({ jobId: job.id }));
    const shown = await (await s.api(`/api/jobs/${job.id}`, { token: operator })).json();
    expect(shown).toMatchObject({ id: job.id, runs: [] });
  });

  it('accepts JSON bodies and maps priority names', async () => {
    const res = await s.api('/api/jobs', {
      method: 'POST',
      token: operator,
      json: { kernel: { tree: '/srv/linux', ref: 'v6.1' }, arch: 'arm64', target: { machine: 'tx2-01' }, priority: 'urgent' },
    });
    expect(res.status).toBe(201);
    const job = await res.json();
    expect(job.priority).toBe(100);
    // BullMQ priority 1 is the first to run.
    expect(await redis.hget(queueKey(job.id), 'priority')).toBe('1');
  });

  it('reports every problem of a bad YAML spec with path, line and column, and writes nothing', async () => {
    const before = Number((await pg.query('SELECT count(*) FROM jobs')).rows[0].count);
    const res = await submitYaml(['kernel:', '  tree: /srv/linux', '  ref: "x; rm -rf /"', 'arch: x86_64', 'target: {machine: "$(reboot)"}', 'bogus: 1'].join('\n'));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'kernel.ref', line: 3, column: 8 }),
        expect.objectContaining({ path: 'target.machine', line: 5 }),
        expect.objectContaining({ path: 'bogus', message: 'unknown field "bogus"', line: 6, column: 1 }),
      ]),
    );
    expect(body.problems).toHaveLength(3);
    expect(Number((await pg.query('SELECT count(*) FROM jobs')).rows[0].count)).toBe(before);
  });

  it('locates problems in JSON bodies too, and rejects malformed JSON clearly', async () => {
    const res = await s.api('/api/jobs', {
      method: 'POST',
      token: operator,
      headers: { 'content-type': 'application/json' },
      body: '{\n  "kernel": {"tree": "/srv/linux", "ref": "main"},\n  "arch": "x86_64",\n  "target": {"machine": "x86-01"},\n  "repeat": -1\n}',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).problems).toEqual([expect.objectContaining({ path: 'repeat', line: 5, column: 13 })]);
    const bad = await s.api('/api/jobs', { method: 'POST', token: operator, headers: { 'content-type': 'application/json' }, body: '{"kernel": ' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/malformed body|JSON/i);
  });

  it('refuses an oversized body', async () => {
    const res = await submitYaml(`description: "${'x'.repeat(400 * 1024)}"\n`);
    expect([400, 413]).toContain(res.status);
  });

  it('lists with filters and stable keyset pagination', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await s.api('/api/jobs', { method: 'POST', token: operator, json: { kernel: { tree: '/srv/linux', ref: `v6.${i}` }, arch: 's390x', target: { machine: 'z15-lpar-01' } } });
      ids.push((await r.json()).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string; arch: string }>; nextCursor: string | null } = await (
        await s.api(`/api/jobs?arch=s390x&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: operator })
      ).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      page.items.forEach((j) => expect(j.arch).toBe('s390x'));
      seen.push(...page.items.map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect((await s.api('/api/jobs?limit=9999', { token: operator })).status).toBe(400);
    expect((await s.api('/api/jobs?cursor=garbage', { token: operator })).status).toBe(400);
  });

  it('cancels a queued job: verdict CANCELED, queue entry gone, a second cancel is a conflict', async () => {
    const job = await (await submitYaml(EXAMPLE)).json();
    const res = await s.api(`/api/jobs/${job.id}/cancel`, { method: 'POST', token: operator });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'canceled', verdict: 'CANCELED' });
    expect(await redis.exists(queueKey(job.id))).toBe(0);
    expect((await s.api(`/api/jobs/${job.id}/cancel`, { method: 'POST', token: operator })).status).toBe(409);
    expect((await s.api(`/api/jobs/00000000-0000-4000-8000-000000000000/cancel`, { method: 'POST', token: operator })).status).toBe(404);
  });

  it('re-enqueues a queued job whose queue entry Redis lost', async () => {
    const job = await (await submitYaml(EXAMPLE)).json();
    await redis.del(queueKey(job.id));
    await redis.zrem(`${s.config.redisPrefix}:jobs:prioritized`, job.id);
    const { QueueReconciler } = await import('../../apps/server/src/queue/queue-reconciler');
    const repaired = await s.app.get(QueueReconciler).reconcile(0);
    expect(repaired).toContain(job.id);
    expect(await redis.hget(queueKey(job.id), 'data')).toBe(JSON.stringify({ jobId: job.id }));
    expect(await s.app.get(QueueReconciler).reconcile(0)).not.toContain(job.id);
  });

  it('serves the OpenAPI document and the job spec JSON Schema', async () => {
    const doc = await (await s.api('/api/openapi.json', { token: null })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/jobs', '/api/jobs/{id}/cancel', '/api/machines/{name}/maintenance', '/api/runs/{id}/console', '/readyz']));
    const schema = await (await s.api('/api/schemas/job-spec.json', { token: null })).json();
    expect(schema.required).toEqual(expect.arrayContaining(['kernel', 'arch', 'target']));
    expect((await s.api('/readyz', { token: null })).status).toBe(200);
  });
});
