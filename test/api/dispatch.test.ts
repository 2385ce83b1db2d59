import IORedis from 'ioredis';
import { Client } from 'pg';
import { eventually } from '../support/eventually';
import { addTestMachine, startTestServer, type TestServer } from '../support/test-server';


describe('dispatcher: jobs to runs on leased machines', () => {
  let s: TestServer;
  let pg: Client;
  let redis: IORedis;
  let machineId: string;

  beforeAll(async () => {
    s = await startTestServer({ label: 'dispatch', roles: 'api,workers' });
    pg = new Client({ connectionString: s.db.url });
    await pg.connect();
    redis = new IORedis(s.config.redisUrl);
    machineId = (await addTestMachine(s, { name: 'tx2-09', lab: 'lab-d', arch: 'arm64', platform: 'thunderx2', tags: ['big'] })).id;
  });
  afterAll(async () => {
    redis.disconnect();
    await pg.end();
    await s.close();
  });

  const job = (extra: object = {}) => ({ kernel: { image: '/boot/Image' }, arch: 'arm64', target: { machine: 'tx2-09' }, ...extra });
  const runsOf = async (jobId: string) => (await pg.query(`SELECT id, machine_id, lease_token, state FROM runs WHERE job_id = $1`, [jobId])).rows;

  it('leases the machine and hands the run to its lab queue', async () => {
    const id = (await (await s.api('/api/jobs', { method: 'POST', json: job() })).json()).id;
    const runs = await eventually(() => runsOf(id), (r) => r.length === 1);
    expect(runs[0].machine_id).toBe(machineId);
    const m = (await pg.query(`SELECT lease_run_id, lease_token FROM machines WHERE id = $1`, [machineId])).rows[0];
    expect(m).toEqual({ lease_run_id: runs[0].id, lease_token: runs[0].lease_token });
    const data = JSON.parse((await redis.hget(`${s.config.redisPrefix}:runs.lab-d:${runs[0].id}`, 'data'))!);
    expect(data).toMatchObject({ runId: runs[0].id, jobId: id, machine: 'tx2-09', leaseToken: runs[0].lease_token });
    expect((await (await s.api(`/api/jobs/${id}`)).json()).state).toBe('running');
  });

  it('waits while the machine is busy and dispatches once it is free', async () => {
    const id = (await (await s.api('/api/jobs', { method: 'POST', json: job() })).json()).id;
    await new Promise((r) => setTimeout(r, 3000));
    expect(await runsOf(id)).toEqual([]);
    await pg.query(`UPDATE machines SET lease_run_id = NULL, lease_expires_at = NULL WHERE id = $1`, [machineId]);
    const runs = await eventually(() => runsOf(id), (r) => r.length === 1, 15_000);
    expect(runs).toHaveLength(1);
  });

  it('ends a running run as ERROR only when no agent of its lab is heard from', async () => {
    const { LeaseReaper } = await import('../../apps/server/src/dispatch/lease-reaper');
    for (const name of ['agent-1', 'agent-2']) await s.api('/api/labs/lab-d/agents', { method: 'POST', json: { name } });
    const run = (await pg.query(`SELECT r.id FROM runs r JOIN machines m ON m.lease_run_id = r.id WHERE m.id = $1`, [machineId])).rows[0].id;
    await pg.query(`UPDATE runs SET state = 'running' WHERE id = $1`, [run]);
    await pg.query(`UPDATE agents SET last_heartbeat_at = CASE name WHEN 'agent-1' THEN now() - interval '1 hour' ELSE now() END`);
    const reaper = s.app.get(LeaseReaper);
    expect(await reaper.reap()).toEqual([]);
    await pg.query(`UPDATE agents SET last_heartbeat_at = now() - interval '1 hour'`);
    expect(await reaper.reap()).toEqual([run]);
    expect((await pg.query(`SELECT verdict, verdict_reason FROM runs WHERE id = $1`, [run])).rows[0]).toEqual({ verdict: 'ERROR', verdict_reason: "the lab's agent sent no heartbeat for 90 s" });
    expect((await pg.query(`SELECT lease_run_id FROM machines WHERE id = $1`, [machineId])).rows[0].lease_run_id).toBeNull();
  });

  it('ends at once a job no machine in service can take, saying why', async () => {
    const id = (await (await s.api('/api/jobs', { method: 'POST', json: job({ target: { selector: { tags: ['cxl'] } } }) })).json()).id;
    const j = await eventually(async () => (await s.api(`/api/jobs/${id}`)).json(), (x) => x.state === 'finished', 10_000);
    expect(j).toMatchObject({ verdict: 'ERROR', verdictReason: expect.stringMatching(/no machine can take this job: selector \(arch arm64, tags cxl\)/) });
  });
});
