import { Client } from 'pg';
import { RunRecorder } from '../../apps/server/src/runs/run-recorder';
import { eventually } from '../support/eventually';
import { addTestMachine, startTestServer, type TestServer } from '../support/test-server';

/*
 * Retries, confirmation and machine health through the real scheduler,
 * queue and database, with this test as the lab's agent: it takes each run
 * the scheduler leases and reports the verdict and the end it chooses.
 */

interface LeasedRun { id: string; attempt: number; machine: string; lease_token: string }

describe('retries: ERROR elsewhere with backoff and a cap, FAIL confirmed, flaky labelled, bad machines announced', () => {
  let s: TestServer;
  let pg: Client;
  let recorder: RunRecorder;

  beforeAll(async () => {
    s = await startTestServer({ label: 'retries', roles: 'api,workers' });
    pg = new Client({ connectionString: s.db.url });
    await pg.connect();
    recorder = s.app.get(RunRecorder);
    for (const name of ['rt-01', 'rt-02']) await addTestMachine(s, { name, lab: 'lab-rt', arch: 'x86_64', platform: 'x86-server', tags: ['rt'] });
  });
  afterAll(async () => {
    await pg.end();
    await s.close();
  });

  const submit = async (extra: object = {}) => {
    const res = await s.api('/api/jobs', { method: 'POST', json: { kernel: { image: '/boot/vmlinuz' }, arch: 'x86_64', target: { selector: { tags: ['rt'] } }, ...extra } });
    const body = await res.json();
    if (res.status !== 201) throw new Error(`submit: ${res.status} ${JSON.stringify(body)}`);
    return body.id as string;
  };
  const runs = async (jobId: string): Promise<Array<LeasedRun & { state: string; verdict: string | null }>> =>
    (await pg.query(`SELECT r.id, r.attempt, r.state, r.verdict, r.lease_token, m.name AS machine FROM runs r JOIN machines m ON m.id = r.machine_id WHERE r.job_id = $1 ORDER BY r.attempt`, [jobId])).rows;
  /** Waits for the job's run of this attempt to be leased. */
  const leased = async (jobId: string, attempt: number, ms = 15_000): Promise<LeasedRun> => {
    const all = await eventually(() => runs(jobId), (r) => r.some((x) => x.attempt === attempt), ms, 50);
    const r = all.find((x) => x.attempt === attempt);
    if (!r) throw new Error(`job ${jobId}: attempt ${attempt} was not dispatched within ${ms} ms (runs: ${JSON.stringify(all)})`);
    return r;
  };
  /** Ends a run as the agent would: a verdict, then the end with the machine's state after recovery. */
  const end = async (r: LeasedRun, verdict: 'PASS' | 'FAIL' | 'ERROR', machineState: 'good' | 'unknown' = 'good') => {
    const at = () => new Date().toISOString();
    const failedStep = verdict === 'PASS' ? null : verdict === 'ERROR' ? 'power' : 'boot';
    expect(await recorder.apply({ type: 'verdict', runId: r.id, leaseToken: r.lease_token, verdict, reason: `${verdict} by the test`, failedStep, kernelVersion: '6.1.0', milestones: [], crashes: [], at: at() })).toBe('applied');
    expect(await recorder.apply({ type: 'finished', runId: r.id, leaseToken: r.lease_token, consoleLines: 0, machineState, at: at() })).toBe('applied');
  };
  /** Moves the end of a run back in time, as if its backoff had passed. */
  const age = (runId: string, seconds: number) => pg.query(`UPDATE runs SET finished_at = finished_at - make_interval(secs => $2) WHERE id = $1`, [runId, seconds]);
  const job = async (id: string) => (await s.api(`/api/jobs/${id}`)).json();
  const finishedJob = (id: string) => eventually(() => job(id), (j) => j.state === 'finished', 15_000, 50);

  it('an ERROR is retried after its backoff on the other machine; the third ERROR ends the job as ERROR', async () => {
    const id = await submit();
    const first = await leased(id, 1);
    await end(first, 'ERROR');
    // Within the 30 s backoff nothing is dispatched, though both machines are free (the scheduler ticks every second).
    await new Promise((r) => setTimeout(r, 2500));
    expect((await runs(id)).map((r) => r.attempt)).toEqual([1]);
    expect((await job(id)).state).toBe('running');
    await age(first.id, 31);
    const second = await leased(id, 2);
    expect(second.machine).not.toBe(first.machine);
    await end(second, 'ERROR');
    // The second retry waits twice as long: 31 s is not enough, 61 s is.
    await age(second.id, 31);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await runs(id)).map((r) => r.attempt)).toEqual([1, 2]);
    await age(second.id, 30);
    const third = await leased(id, 3);
    expect(third.machine).not.toBe(second.machine);
    await end(third, 'ERROR');
    expect(await finishedJob(id)).toMatchObject({ verdict: 'ERROR', verdictReason: 'ERROR on each of 3 attempts', flaky: false, passRate: null });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await runs(id)).map((r) => r.attempt)).toEqual([1, 2, 3]);
  });

  it('a FAIL is confirmed by one rerun: FAIL twice is FAIL, not flaky', async () => {
    const id = await submit();
    await end(await leased(id, 1), 'FAIL');
    await end(await leased(id, 2), 'FAIL');
    expect(await finishedJob(id)).toMatchObject({ verdict: 'FAIL', verdictReason: 'FAIL by the test', flaky: false, passRate: 0 });
    expect((await runs(id)).map((r) => r.verdict)).toEqual(['FAIL', 'FAIL']);
  });

  it('a FAIL whose rerun passes is flaky with its pass rate, not a regression', async () => {
    const id = await submit();
    await end(await leased(id, 1), 'FAIL');
    await end(await leased(id, 2), 'PASS');
    const j = await finishedJob(id);
    expect(j).toMatchObject({ verdict: 'PASS', flaky: true, passRate: 0.5 });
    expect(j.verdictReason).toMatch(/^flaky: passed 50% of 2 runs/);
  });

  it('repeats that disagree make the job flaky: 2 of 3 passed', async () => {
    const id = await submit({ repeat: 3, retry: { confirmFail: false } });
    const all = await eventually(() => runs(id), (r) => r.length >= 2, 15_000, 50);
    await end(all[0], 'PASS');
    await end(all[1], 'FAIL');
    const rest = await eventually(() => runs(id), (r) => r.length === 3, 15_000, 50);
    await end(rest.find((r) => r.state !== 'finished')!, 'PASS');
    const j = await finishedJob(id);
    expect(j).toMatchObject({ verdict: 'FAIL', flaky: true });
    expect(j.passRate).toBeCloseTo(2 / 3, 5);
  });

  it('an end that overtook the verdict its agent sent waits for it; an end without a verdict sent ends the run at once', async () => {
    const id = await submit({ retry: { maxAttempts: 1 } });
    const r = await leased(id, 1);
    const at = () => new Date().toISOString();
    const finished = { type: 'finished' as const, runId: r.id, leaseToken: r.lease_token, consoleLines: 0, machineState: 'good' as const, verdictSent: true, at: at() };
    // Another replica has not applied the verdict yet: refused, so the stream delivers the end again.
    await expect(recorder.apply(finished)).rejects.toThrow(/ended before its verdict was applied/);
    expect((await runs(id))[0].state).not.toBe('finished');
    expect(await recorder.apply({ type: 'verdict', runId: r.id, leaseToken: r.lease_token, verdict: 'PASS', reason: 'booted', failedStep: null, kernelVersion: '6.1.0', milestones: [], crashes: [], at: at() })).toBe('applied');
    expect(await recorder.apply(finished)).toBe('applied');
    expect(await finishedJob(id)).toMatchObject({ verdict: 'PASS' });

    const id2 = await submit({ retry: { maxAttempts: 1 } });
    const r2 = await leased(id2, 1);
    expect(await recorder.apply({ ...finished, runId: r2.id, leaseToken: r2.lease_token, verdictSent: false })).toBe('applied');
    expect(await finishedJob(id2)).toMatchObject({ verdict: 'ERROR', verdictReason: 'ERROR on each of 1 attempts' });
    expect((await pg.query(`SELECT verdict_reason FROM runs WHERE id = $1`, [r2.id])).rows[0].verdict_reason).toBe('the agent ended the run without a verdict');
  });

  it('retry: {maxAttempts: 1} ends at the first ERROR', async () => {
    const id = await submit({ retry: { maxAttempts: 1 } });
    await end(await leased(id, 1), 'ERROR');
    expect(await finishedJob(id)).toMatchObject({ verdict: 'ERROR', verdictReason: 'ERROR on each of 1 attempts' });
  });

  it('a machine whose recovery fails three times in a row goes bad, is announced in its history, and gets no more runs', async () => {
    const machine = 'rt-01';
    const jobs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await submit({ target: { machine }, retry: { maxAttempts: 1, confirmFail: false } });
      jobs.push(id);
      await end(await leased(id, 1), 'FAIL', 'unknown');
      await finishedJob(id);
      const m = (await pg.query(`SELECT health, failed_checks FROM machines WHERE name = $1`, [machine])).rows[0];
      expect(m).toEqual(i < 2 ? { health: 'unknown', failed_checks: i + 1 } : { health: 'bad', failed_checks: 3 });
    }
    const history = await (await s.api(`/api/machines/${machine}/health`)).json();
    const items = Array.isArray(history) ? history : history.items;
    expect(items[0]).toMatchObject({ toState: 'bad', actor: 'health-check', reason: expect.stringMatching(/^failed 3 health checks in a row/) });
    expect(s.logger.lines.some((l) => l.includes(`machine ${machine} is now bad: failed 3 health checks in a row`))).toBe(true);
    // Out of service: a job for it alone ends at once, saying why.
    const id = await submit({ target: { machine } });
    expect(await finishedJob(id)).toMatchObject({ verdict: 'ERROR', verdictReason: expect.stringMatching(/^no machine can take this job: machine "rt-01" \(x86_64\): rt-01 is marked bad/) });
  });

  it('a successful recovery resets the count', async () => {
    const machine = 'rt-02';
    const id = await submit({ target: { machine }, retry: { maxAttempts: 1, confirmFail: false } });
    await end(await leased(id, 1), 'FAIL', 'unknown');
    await finishedJob(id);
    expect((await pg.query(`SELECT failed_checks FROM machines WHERE name = $1`, [machine])).rows[0].failed_checks).toBe(1);
    const id2 = await submit({ target: { machine } });
    await end(await leased(id2, 1), 'PASS', 'good');
    expect((await pg.query(`SELECT health, failed_checks FROM machines WHERE name = $1`, [machine])).rows[0]).toEqual({ health: 'good', failed_checks: 0 });
  });
});
