import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import type { PayloadResultEvent } from '@pfnlab/contracts';
import { AbJobCoordinator } from '../../apps/server/src/measurements/ab-job-coordinator';
import { RunRecorder } from '../../apps/server/src/runs/run-recorder';
import { eventually } from '../support/eventually';
import { pfnlab } from '../support/pfnlab-cli';
import { addTestMachine, startTestServer, type TestServer } from '../support/test-server';

/*
 * A/B jobs through the real dispatcher, queue and database, with this test
 * as the lab's agent: it takes each run the server hands to the lab queue,
 * reports a payload result (a cost that the test chooses per variant and
 * round), a verdict and the end. What is checked: the order and machine of
 * the runs, the cmdline each variant boots, the comparison per round, and
 * that a regression is only reported after a second round confirms it.
 */

const METRIC = 'online_ns';
const STORED_METRIC = `pfn-walk.${METRIC}`;


interface ServedRun {
  id: string;
  variant: string;
  round: number;
  iteration: number;
  machine: string;
  cmdline: string[];
}

describe('A/B jobs: interleaved baseline and candidate runs, a comparison per round, regressions confirmed by a second round', () => {
  let s: TestServer;
  let pg: Client;
  let redis: IORedis;
  let recorder: RunRecorder;

  beforeAll(async () => {
    s = await startTestServer({ label: 'abjobs', roles: 'api,workers' });
    pg = new Client({ connectionString: s.db.url });
    await pg.connect();
    redis = new IORedis(s.config.redisUrl);
    recorder = s.app.get(RunRecorder);
    for (const name of ['ab-01', 'ab-02']) await addTestMachine(s, { name, lab: 'lab-ab', arch: 'x86_64', platform: 'x86-server', tags: ['ab'] });
  });
  afterAll(async () => {
    redis.disconnect();
    await pg.end();
    await s.close();
  });

  const submit = async (extra: object) => {
    const res = await s.api('/api/jobs', {
      method: 'POST',
      json: { kernel: { image: '/boot/vmlinuz' }, arch: 'x86_64', target: { selector: { tags: ['ab'] } }, boot: { cmdline: ['movablecore=256M', 'init_on_free=1'] }, tests: ['pfn-walk'], ...extra },
    });
    const body = await res.json();
    if (res.status !== 201) throw new Error(`submit: ${res.status} ${JSON.stringify(body)}`);
    return body.id as string;
  };

  /** Plays the agent for every run of the job until the job ends; `cost` is the run's median online time. */
  const serve = async (jobId: string, cost: (r: { variant: string; round: number; iteration: number }) => number): Promise<ServedRun[]> => {
    const served: ServedRun[] = [];
    for (;;) {
      const next = await eventually(
        async () => {
          const job = (await pg.query(`SELECT state FROM jobs WHERE id = $1`, [jobId])).rows[0];
          const run = (await pg.query(
            `SELECT r.id, r.variant, r.round, r.iteration, r.lease_token, m.name AS machine FROM runs r JOIN machines m ON m.id = r.machine_id
             WHERE r.job_id = $1 AND r.state = 'queued' ORDER BY r.created_at`, [jobId])).rows;
          return { done: job.state === 'finished', run: run[0] };
        },
        (x) => x.done || !!x.run,
        30_000,
        50,
      );
      if (next.done) return served;
      if (!next.run) throw new Error(`job ${jobId}: no run dispatched within 30 s`);
      const r = next.run;
      // The run's row is committed before its queue entry is added (RunDispatcher.dispatchOne): wait for the entry.
      const queued = await eventually(() => redis.hget(`${s.config.redisPrefix}:runs.lab-ab:${r.id}`, 'data'), (d) => d !== null, 10_000, 20);
      if (queued === null) throw new Error(`run ${r.id} has a row but no queue entry after 10 s`);
      const data = JSON.parse(queued);
      served.push({ id: r.id, variant: r.variant, round: r.round, iteration: r.iteration, machine: r.machine, cmdline: data.spec.boot.cmdline });
      const at = () => new Date().toISOString();
      const center = cost(r);
      const samples = [0.99, 1, 1.01].map((f, i) => ({ metric: METRIC, value: Math.round(center * f), unit: 'ns' as const, iteration: i, labels: {} }));
      const payload: PayloadResultEvent = {
        type: 'payload', runId: r.id, leaseToken: r.lease_token, test: { name: 'pfn-walk', index: 0, iteration: 0 }, status: 'ok', reason: null,
        params: {}, samples, counts: [], counters: [], unavailable: [], problems: [], warnings: 0, seconds: 3, at: at(),
      };
      expect(await recorder.apply(payload)).toBe('applied');
      expect(await recorder.apply({ type: 'verdict', runId: r.id, leaseToken: r.lease_token, verdict: 'PASS', reason: 'booted', failedStep: null, kernelVersion: '6.1.0', milestones: [], crashes: [], at: at() })).toBe('applied');
      expect(await recorder.apply({ type: 'finished', runId: r.id, leaseToken: r.lease_token, consoleLines: 0, machineState: 'good', at: at() })).toBe('applied');
    }
  };

  const jobView = async (id: string) => (await s.api(`/api/jobs/${id}`)).json();
  const comparisonsOf = async (id: string) => (await (await s.api(`/api/comparisons?job=${id}`)).json()).items;
  /** Round 1 and 2 runs around 100 µs, with a little spread between runs. */
  const base = (r: { iteration: number }) => 100_000 * (1 + 0.004 * ((r.iteration % 4) - 1.5));

  it('a regression in round 1 and again in round 2 is confirmed; baseline and candidate alternate on one machine', async () => {
    const id = await submit({ repeat: 4, baseline: { cmdline: ['movablecore=256M'] } });
    expect((await jobView(id)).abState).toBe('measuring');
    const served = await serve(id, (r) => base(r) * (r.variant === 'candidate' ? 1.3 : 1));
    expect(served.map((r) => `${r.round}${r.variant[0]}${r.iteration}`)).toEqual([
      '1b0', '1c0', '1b1', '1c1', '1b2', '1c2', '1b3', '1c3', '2b4', '2c4', '2b5', '2c5', '2b6', '2c6', '2b7', '2c7',
    ]);
    expect(new Set(served.map((r) => r.machine)).size).toBe(1);
    for (const r of served) expect(r.cmdline).toEqual(r.variant === 'baseline' ? ['movablecore=256M'] : ['movablecore=256M', 'init_on_free=1']);

    const job = await jobView(id);
    expect(job).toMatchObject({ state: 'finished', verdict: 'PASS', abState: 'regression-confirmed', abSummary: `regression confirmed in ${STORED_METRIC}` });
    const comparisons = await comparisonsOf(id);
    expect(comparisons.map((c: { round: number; verdict: string }) => [c.round, c.verdict])).toEqual([[2, 'regression'], [1, 'regression']]);
    expect(job.comparisonId).toBe(comparisons[0].id);
    const row = comparisons[1].results.find((x: { metric: string }) => x.metric === STORED_METRIC);
    expect(row).toMatchObject({ n: [4, 4], verdict: 'regression' });
    expect(comparisons[1]).toMatchObject({ warnings: [], baseline: { machines: [served[0].machine] }, candidate: { machines: [served[0].machine] } });
    expect(row.ratio).toBeCloseTo(1.3, 1);
    expect(row.ci[0]).toBeGreaterThan(1.05);
    expect(row.p).toBeLessThan(0.05);
    // People see the decision, each run's side and round, and the deciding comparison's table.
    const dir = mkdtempSync(join(tmpdir(), 'pfnlab-cli-ab-'));
    try {
      const env = { XDG_CONFIG_HOME: dir, HOME: dir, PFNLAB_SERVER: s.url, PFNLAB_TOKEN: s.adminToken };
      const shown = await pfnlab(['jobs', 'show', id], env);
      expect(shown.stderr).toBe('');
      expect(shown.stdout).toMatch(new RegExp(`A/B\\s+regression-confirmed: regression confirmed in ${STORED_METRIC.replace('.', '\\.')}`));
      expect(shown.stdout).toContain(`${served[0].id}  #0.1  baseline  round 1  finished  PASS`);
      expect(shown.stdout).toContain(`${served[15].id}  #7.1  candidate round 2  finished  PASS`);
      expect(shown.stdout).toContain(`verdict: regression (comparison ${comparisons[0].id})`);
      const results = await pfnlab(['runs', 'results', served[1].id], env);
      expect(results.stdout.split('\n').slice(0, 3)).toEqual([
        'pfn-walk (test 0, iteration 0): OK  [3 s, 0 warning(s)]',
        expect.stringMatching(/^ {2}metric +n +median +min +max$/),
        expect.stringMatching(new RegExp(`^  ${STORED_METRIC.replace('.', '\\.')} +3 +\\d+\\.\\d+ µs +\\d+\\.\\d+ µs +\\d+\\.\\d+ µs$`)),
      ]);
      const cmp = await pfnlab(['compare', `baseline:${id}`, id, '--json'], env);
      expect(cmp.code).toBe(1);
      expect(JSON.parse(cmp.stdout)).toMatchObject({ verdict: 'regression', baseline: { runCount: 8 }, candidate: { runCount: 8 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Each round compares its own runs only.
    const round2 = served.filter((r) => r.round === 2);
    expect(comparisons[0].baseline.runs.sort()).toEqual(round2.filter((r) => r.variant === 'baseline').map((r) => r.id).sort());
    expect(comparisons[0].candidate.runs.sort()).toEqual(round2.filter((r) => r.variant === 'candidate').map((r) => r.id).sort());
  });

  it('a regression that round 2 does not show again is reported as not confirmed', async () => {
    const id = await submit({ repeat: 4, baseline: { cmdline: ['movablecore=256M'] } });
    const served = await serve(id, (r) => base(r) * (r.variant === 'candidate' && r.round === 1 ? 1.3 : 1));
    expect(served).toHaveLength(16);
    expect(await jobView(id)).toMatchObject({
      state: 'finished', abState: 'regression-not-confirmed', abSummary: `the regression in ${STORED_METRIC} did not show again in the second round`,
    });
    expect((await comparisonsOf(id)).map((c: { verdict: string }) => c.verdict)).toEqual(['no-change', 'regression']);
  });

  let sameCostJob: string;
  it('no difference: one round, no-regression, and nothing more is dispatched', async () => {
    sameCostJob = await submit({ repeat: 4, baseline: { cmdline: ['movablecore=256M'] } });
    const served = await serve(sameCostJob, base);
    expect(served).toHaveLength(8);
    expect(await jobView(sameCostJob)).toMatchObject({ state: 'finished', verdict: 'PASS', abState: 'no-regression', abSummary: 'no regression' });
    const [only] = await comparisonsOf(sameCostJob);
    expect(only).toMatchObject({ round: 1, verdict: 'no-change' });
    await new Promise((r) => setTimeout(r, 3000));
    expect((await pg.query(`SELECT count(*)::int AS n FROM runs WHERE job_id = $1`, [sameCostJob])).rows[0].n).toBe(8);
  });

  it('a job baseline: only the candidate runs, compared with the other job\'s candidate runs', async () => {
    const id = await submit({ repeat: 4, baseline: { job: sameCostJob } });
    const served = await serve(id, (r) => base(r) * 0.7);
    expect(served.map((r) => r.variant)).toEqual(['candidate', 'candidate', 'candidate', 'candidate']);
    expect(await jobView(id)).toMatchObject({ state: 'finished', abState: 'no-regression' });
    const [c] = await comparisonsOf(id);
    expect(c).toMatchObject({ round: 1, verdict: 'improvement', baseline: { job: sameCostJob, runCount: 4 }, candidate: { runCount: 4 } });
  });

  it('the comparison API takes an A/B job\'s baseline runs by variant', async () => {
    const res = await s.api('/api/comparisons', { method: 'POST', json: { baseline: { job: sameCostJob, variant: 'baseline' }, candidate: { job: sameCostJob } } });
    expect(res.status).toBe(201);
    const c = await res.json();
    expect(c).toMatchObject({ verdict: 'no-change', baseline: { label: `job ${sameCostJob} (baseline runs)`, runCount: 4 }, candidate: { runCount: 4 } });
  });

  it('decides nothing while a round is incomplete, even in the moment between two runs when none is unfinished', async () => {
    const spec = { kernel: { image: '/boot/vmlinuz' }, arch: 'x86_64', target: { machine: 'ab-01' }, boot: { cmdline: ['init_on_free=1'] }, tests: [], repeat: 4, baseline: { cmdline: [] }, priority: 50 };
    const job = (await pg.query(`INSERT INTO jobs (spec, arch, priority, state, ab_state, updated_at) VALUES ($1, 'x86_64', 50, 'running', 'measuring', now() - interval '5 minutes') RETURNING id`, [spec])).rows[0].id;
    await pg.query(`INSERT INTO runs (job_id, variant, iteration, state, verdict) VALUES ($1, 'baseline', 0, 'finished', 'PASS')`, [job]);
    const coordinator = s.app.get(AbJobCoordinator);
    expect(await coordinator.roundEnded(job)).toBeNull();
    expect(await coordinator.sweep()).not.toContain(job);
    expect((await pg.query(`SELECT state, ab_state FROM jobs WHERE id = $1`, [job])).rows[0]).toEqual({ state: 'running', ab_state: 'measuring' });
    expect((await pg.query(`SELECT count(*)::int AS n FROM comparisons WHERE job_id = $1`, [job])).rows[0].n).toBe(0);
    await pg.query(`DELETE FROM jobs WHERE id = $1`, [job]);
  });

  it('refuses a baseline with too few runs per side, naming the field', async () => {
    const res = await s.api('/api/jobs', { method: 'POST', json: { kernel: { image: '/boot/vmlinuz' }, arch: 'x86_64', target: { machine: 'ab-01' }, repeat: 2, baseline: { cmdline: [] } } });
    expect(res.status).toBe(400);
    expect((await res.json()).problems).toEqual([expect.objectContaining({ path: 'repeat', message: expect.stringMatching(/^a job with a baseline needs repeat: 4 or more/) })]);
  });
});
