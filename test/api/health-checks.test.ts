import { Client } from 'pg';
import { HealthCheckScheduler } from '../../apps/server/src/machines/health-check-scheduler';
import { RunRecorder } from '../../apps/server/src/runs/run-recorder';
import { eventually } from '../support/eventually';
import { addTestMachine, startTestServer, type TestServer } from '../support/test-server';

/*
 * Health checks through the real scheduler and database, with this test as
 * the lab's agent: a machine left unknown gets a check (a job booting its
 * known-good kernel), a passed check makes it good, three failed ones make
 * it bad; idle good machines are checked again on a schedule.
 */

describe('health checks: unknown machines checked at once, idle ones on a schedule, three failures make a machine bad', () => {
  let s: TestServer;
  let pg: Client;
  let recorder: RunRecorder;
  let checks: HealthCheckScheduler;

  beforeAll(async () => {
    s = await startTestServer({ label: 'health', roles: 'api,workers', healthChecks: true });
    pg = new Client({ connectionString: s.db.url });
    await pg.connect();
    recorder = s.app.get(RunRecorder);
    checks = s.app.get(HealthCheckScheduler);
    for (const name of ['hc-01', 'hc-02']) await addTestMachine(s, { name, lab: 'lab-hc', arch: 'arm64', platform: 'thunderx2' });
  });
  afterAll(async () => {
    await pg.end();
    await s.close();
  });

  const machine = async (name: string) => (await pg.query(`SELECT health, failed_checks, checked_at FROM machines WHERE name = $1`, [name])).rows[0];
  const checkJobs = async (name: string) =>
    (await pg.query(`SELECT id, state, verdict, priority, spec FROM jobs WHERE spec -> 'target' ->> 'machine' = $1 AND spec -> 'kernel' ? 'knownGood' ORDER BY created_at`, [name])).rows;
  /** Plays the agent for the machine's open health check. */
  const answer = async (name: string, verdict: 'PASS' | 'ERROR') => {
    const run = await eventually(
      async () => (await pg.query(`SELECT r.id, r.lease_token FROM runs r JOIN machines m ON m.id = r.machine_id JOIN jobs j ON j.id = r.job_id
                                   WHERE m.name = $1 AND r.state = 'queued' AND j.spec -> 'kernel' ? 'knownGood'`, [name])).rows[0],
      (r) => !!r,
      15_000,
      50,
    );
    if (!run) throw new Error(`no health check of ${name} was dispatched`);
    const at = () => new Date().toISOString();
    const reason = verdict === 'PASS' ? 'health check passed: the known-good kernel booted and SSH answers' : 'the known-good kernel booted but SSH did not answer';
    await recorder.apply({ type: 'verdict', runId: run.id, leaseToken: run.lease_token, verdict, reason, failedStep: verdict === 'PASS' ? null : 'boot', kernelVersion: null, milestones: [], crashes: [], at: at() });
    await recorder.apply({ type: 'finished', runId: run.id, leaseToken: run.lease_token, consoleLines: 0, machineState: verdict === 'PASS' ? 'good' : 'unknown', at: at() });
  };

  it('a new (unknown) machine gets one urgent check of its known-good kernel; passing it makes the machine good', async () => {
    expect((await checks.sweep()).sort()).toEqual(['hc-01', 'hc-02']);
    // A second sweep while the checks are pending queues nothing more.
    expect(await checks.sweep()).toEqual([]);
    const [job] = await checkJobs('hc-01');
    expect(job).toMatchObject({ priority: 100, spec: { kernel: { knownGood: true }, target: { machine: 'hc-01' }, retry: { maxAttempts: 1, confirmFail: false } } });
    await answer('hc-01', 'PASS');
    await answer('hc-02', 'PASS');
    expect(await machine('hc-01')).toMatchObject({ health: 'good', failed_checks: 0, checked_at: expect.any(Date) });
    expect((await eventually(() => checkJobs('hc-01'), (j) => j[0].state === 'finished', 10_000, 50))[0]).toMatchObject({ verdict: 'PASS' });
    // Good and just checked: nothing due.
    expect(await checks.sweep()).toEqual([]);
  });

  it('an idle good machine not checked for PFNLAB_HEALTH_CHECK_HOURS (24) is checked again; a machine in maintenance is not', async () => {
    await pg.query(`UPDATE machines SET checked_at = now() - interval '25 hours'`);
    expect((await s.api('/api/machines/hc-02/maintenance', { method: 'POST', json: { on: true, reason: 'replacing a DIMM' } })).status).toBeLessThan(300);
    expect(await checks.sweep()).toEqual(['hc-01']);
    await answer('hc-01', 'PASS');
    expect((await s.api('/api/machines/hc-02/maintenance', { method: 'POST', json: { on: false, reason: 'DIMM replaced' } })).status).toBeLessThan(300);
  });

  it('three failed checks in a row make the machine bad, announced in its history; a bad machine is not checked again', async () => {
    // Out of maintenance, hc-02 is unknown until a check passes.
    expect(await machine('hc-02')).toMatchObject({ health: 'unknown' });
    for (let i = 1; i <= 3; i++) {
      expect(await checks.sweep()).toEqual(['hc-02']);
      await answer('hc-02', 'ERROR');
      expect(await machine('hc-02')).toMatchObject({ health: i < 3 ? 'unknown' : 'bad', failed_checks: i });
    }
    const history = await (await s.api('/api/machines/hc-02/health')).json();
    const items = Array.isArray(history) ? history : history.items;
    expect(items[0]).toMatchObject({ toState: 'bad', actor: 'health-check', reason: expect.stringMatching(/^failed 3 health checks in a row/) });
    expect(await checks.sweep()).toEqual([]);
    expect((await checkJobs('hc-02')).map((j) => j.verdict)).toEqual(['PASS', 'ERROR', 'ERROR', 'ERROR']);
  });
});
