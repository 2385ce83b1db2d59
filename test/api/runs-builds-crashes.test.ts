import { Client } from 'pg';
import { ConsoleStore } from '../../apps/server/src/runs/console-store';
import { startTestServer, tokenFor, type TestServer } from '../support/test-server';

describe('runs, console logs, builds and crashes (read API)', () => {
  let s: TestServer;
  let viewer: string;
  let pg: Client;
  let runId: string;

  beforeAll(async () => {
    s = await startTestServer({ label: 'runs' });
    viewer = (await tokenFor(s, 'viewer', 'viewer')).token;
    pg = new Client({ connectionString: s.db.url });
    await pg.connect();
    const job = await (await s.api('/api/jobs', { method: 'POST', json: { kernel: { tree: '/srv/linux', ref: 'main' }, arch: 'arm64', target: { machine: 'tx2-01' } } })).json();
    runId = (await pg.query(`INSERT INTO runs (job_id, state, verdict) VALUES ($1, 'finished', 'FAIL') RETURNING id`, [job.id])).rows[0].id;
    await pg.query(`INSERT INTO run_steps (run_id, seq, name, state, timeout_seconds) VALUES ($1, 0, 'reserve', 'ok', 60), ($1, 1, 'boot', 'failed', 300)`, [runId]);
  });
  afterAll(async () => {
    await pg.end();
    await s.close();
  });

  it('stores console chunks compressed, ignores a re-sent chunk, and marks gaps on download', async () => {
    const store = s.app.get(ConsoleStore);
    const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ seq: from + i, text: `[    ${from + i}.000000] line ${from + i}` }));
    expect(await store.append(runId, lines(0, 100))).toBe(true);
    expect(await store.append(runId, lines(0, 100))).toBe(false);
    expect(await store.append(runId, lines(150, 10))).toBe(true);
    await expect(store.append(runId, [{ seq: 1, text: 'a' }, { seq: 3, text: 'b' }])).rejects.toThrow(/not consecutive/);
    const row = (await pg.query(`SELECT sum(raw_bytes)::int AS raw, sum(length(data))::int AS stored, count(*)::int AS n FROM console_chunks WHERE run_id = $1`, [runId])).rows[0];
    expect(row.n).toBe(2);
    expect(row.stored).toBeLessThan(row.raw);

    const res = await s.api(`/api/runs/${runId}/console`, { token: viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    const out = text.trimEnd().split('\n');
    expect(out).toHaveLength(111);
    expect(out[0]).toBe('[    0.000000] line 0');
    expect(out[99]).toBe('[    99.000000] line 99');
    expect(out[100]).toBe('[pfnlab: 50 console line(s) missing: seq 100..149]');
    expect(out[110]).toBe('[    159.000000] line 159');
  });

  it('shows a run with its steps in order', async () => {
    const run = await (await s.api(`/api/runs/${runId}`, { token: viewer })).json();
    expect(run).toMatchObject({ id: runId, verdict: 'FAIL' });
    expect(run.steps.map((x: { name: string; state: string }) => `${x.name}:${x.state}`)).toEqual(['reserve:ok', 'boot:failed']);
    expect((await s.api(`/api/runs/00000000-0000-4000-8000-000000000000`, { token: viewer })).status).toBe(404);
    expect((await s.api(`/api/runs/not-a-uuid/console`, { token: viewer })).status).toBe(400);
  });

  it('lists and shows builds and crashes', async () => {
    const build = (await pg.query(`INSERT INTO builds (tree_url, ref, config, arch, status, title) VALUES ('/srv/linux', 'v6.1', '{"base":"defconfig"}', 's390x', 'FAIL', 'arch/s390/mm/init.c:262: error: conflicting types for arch_remove_memory') RETURNING id`)).rows[0].id;
    const builds = await (await s.api('/api/builds?status=FAIL', { token: viewer })).json();
    expect(builds.items.map((b: { id: string }) => b.id)).toEqual([build]);
    expect((await s.api('/api/builds?status=bogus', { token: viewer })).status).toBe(400);
    expect(await (await s.api(`/api/builds/${build}`, { token: viewer })).json()).toMatchObject({ arch: 's390x', status: 'FAIL' });

    const crash = (await pg.query(`INSERT INTO crashes (title, type, frame, count, arches, first_seen, last_seen) VALUES ('WARNING in free_zone_device_folio', 'WARNING', 'free_zone_device_folio', 2, '{s390x}', now(), now()) RETURNING id`)).rows[0].id;
    await pg.query(`INSERT INTO crash_occurrences (crash_id, run_id, arch, report) VALUES ($1, $2, 's390x', 'WARNING: CPU: 12 PID: 878 at mm/memremap.c:436')`, [crash, runId]);
    const list = await (await s.api('/api/crashes?q=zone_device', { token: viewer })).json();
    expect(list.map((c: { title: string }) => c.title)).toEqual(['WARNING in free_zone_device_folio']);
    expect(await (await s.api('/api/crashes?q=%25', { token: viewer })).json()).toEqual([]);
    const shown = await (await s.api(`/api/crashes/${crash}`, { token: viewer })).json();
    expect(shown.occurrences).toHaveLength(1);
  });
});
