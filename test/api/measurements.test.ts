import type { TestServer } from '../support/test-server';
import { eventually } from '../support/eventually';
import { BuildLab, useBuildLab, type LeasedRun } from './build-fixtures';
import { abJobs, payloadEvent, samplesAround } from './payload-fixtures';

describe('payload results: recording, measurements, comparisons', () => {
  let s: TestServer;
  let lab: BuildLab;
  let viewer: string;
  const get = (path: string) => s.api(path, { token: viewer });
  const compare = (json: unknown) => s.api('/api/comparisons', { method: 'POST', json, token: viewer });
  const count = async (runId: string) => Number((await lab.pg.query(`SELECT count(*) FROM measurements WHERE run_id = $1`, [runId])).rows[0].count);

  useBuildLab('measure', (x) => ({ s, lab, viewer } = x));

  describe('one run reporting samples, counts and counters', () => {
    let run: LeasedRun;
    const event = () =>
      payloadEvent(run, {
        samples: [
          { metric: 'add_ns', value: 100, unit: 'ns', iteration: 0, labels: { block: 'memory32' } },
          { metric: 'add_ns', value: 300, unit: 'ns', iteration: 1, labels: { block: 'memory33' } },
          { metric: 'add_ns', value: 200, unit: 'ns', iteration: 2, labels: { block: 'memory34' } },
        ],
        counts: [{ metric: 'offline_error', value: 2, unit: 'count', labels: { errno: 'EBUSY' } }],
        counters: [{ name: '__add_pages', source: 'kprobe', calls: 24, totalNs: 48_000, meanNs: 2000, maxNs: 9000, method: 'kretprobe-hist', labels: {} }],
        unavailable: [{ counter: 'pfn_valid', reason: 'inlined' }],
        warnings: 1,
      });

    beforeAll(async () => {
      run = await lab.leasedRun();
      await lab.push(event());
      await lab.settle();
    });

    it('stores one row per sample, count and counter field, with labels, kind and the run\'s job, machine and arch', async () => {
      const rows = (await lab.pg.query(`SELECT kind, metric, iteration, value, unit, labels, job_id, machine_id, arch, payload FROM measurements WHERE run_id = $1 ORDER BY metric, iteration`, [run.runId])).rows;
      expect(rows.map((r) => [r.kind, r.metric, r.iteration, r.value, r.unit])).toEqual([
        ['sample', 'hotplug-add-remove.add_ns', 0, 100, 'ns'],
        ['sample', 'hotplug-add-remove.add_ns', 1, 300, 'ns'],
        ['sample', 'hotplug-add-remove.add_ns', 2, 200, 'ns'],
        ['counter', 'hotplug-add-remove.counter.__add_pages.calls', 0, 24, 'count'],
        ['counter', 'hotplug-add-remove.counter.__add_pages.max_ns', 0, 9000, 'ns'],
        ['counter', 'hotplug-add-remove.counter.__add_pages.mean_ns', 0, 2000, 'ns'],
        ['counter', 'hotplug-add-remove.counter.__add_pages.total_ns', 0, 48_000, 'ns'],
        ['count', 'hotplug-add-remove.offline_error', 0, 2, 'count'],
      ]);
      expect(rows[1].labels).toEqual({ block: 'memory33' });
      expect(rows[3].labels).toEqual({ source: 'kprobe', method: 'kretprobe-hist' });
      expect(rows[7].labels).toEqual({ errno: 'EBUSY' });
      expect(new Set(rows.map((r) => `${r.job_id} ${r.machine_id} ${r.arch} ${r.payload}`))).toEqual(new Set([`${run.jobId} ${run.machineId} x86_64 hotplug-add-remove`]));
    });

    it('does not duplicate anything when the event is redelivered', async () => {
      expect(await count(run.runId)).toBe(8);
      await lab.push(event());
      await lab.push(payloadEvent(run, { samples: samplesAround('add_ns', 999) }));
      await lab.settle();
      expect(await count(run.runId)).toBe(8);
      expect((await lab.pg.query(`SELECT count(*)::int AS n FROM payload_results WHERE run_id = $1`, [run.runId])).rows[0].n).toBe(1);
    });

    it('shows the result with its counters, unavailable counters and a per-metric summary', async () => {
      const r = await get(`/api/runs/${run.runId}/results`);
      expect(r.status).toBe(200);
      const body = await r.json();
      expect(body).toMatchObject({ runId: run.runId, jobId: run.jobId });
      expect(body.results).toHaveLength(1);
      expect(body.results[0]).toMatchObject({
        payload: 'hotplug-add-remove', testIndex: 0, testIteration: 0, status: 'ok', reason: null, warnings: 1, seconds: 12.5,
        unavailable: [{ counter: 'pfn_valid', reason: 'inlined' }],
        counters: [{ name: '__add_pages', calls: 24, meanNs: 2000 }],
      });
      expect(body.results[0].metrics.find((m: { metric: string }) => m.metric === 'hotplug-add-remove.add_ns')).toEqual({
        metric: 'hotplug-add-remove.add_ns', kind: 'sample', unit: 'ns', n: 3, median: 200, min: 100, max: 300,
      });
    });

    it('lists measurements filtered by metric and job, paginated', async () => {
      const page1 = await (await get(`/api/measurements?metric=hotplug-add-remove.add_ns&job=${run.jobId}&limit=2`)).json();
      expect(page1.items.map((m: { value: number }) => m.value)).toEqual([200, 300]);
      expect(page1.nextCursor).toEqual(expect.any(String));
      const page2 = await (await get(`/api/measurements?metric=hotplug-add-remove.add_ns&job=${run.jobId}&limit=2&cursor=${page1.nextCursor}`)).json();
      expect(page2.items.map((m: { value: number }) => m.value)).toEqual([100]);
      expect(page2.nextCursor).toBeNull();
      expect(page2.items[0]).toMatchObject({ runId: run.runId, arch: 'x86_64', kind: 'sample', unit: 'ns', labels: { block: 'memory32' }, iteration: 0 });
      const counters = await (await get(`/api/measurements?run=${run.runId}&kind=counter`)).json();
      expect(counters.items).toHaveLength(4);
    });
  });

  it('ignores a payload result carrying a stale lease token', async () => {
    const run = await lab.leasedRun();
    await lab.push(payloadEvent({ ...run, leaseToken: '6' }, { samples: samplesAround('add_ns', 100) }));
    await lab.settle();
    expect(await count(run.runId)).toBe(0);
    expect((await (await get(`/api/runs/${run.runId}/results`)).json()).results).toEqual([]);
    expect(s.logger.lines.some((l) => l.includes(`of run ${run.runId}`) && l.includes('lease 6'))).toBe(true);
  });

  it('shows a SKIP with its reason even though it produced no samples', async () => {
    const run = await lab.leasedRun();
    await lab.push(payloadEvent(run, { test: { name: 'zone-device', index: 2, iteration: 0 }, status: 'skip', reason: 'module test_hmm is not in this kernel (CONFIG_TEST_HMM=n)', seconds: 0.4 }));
    const body = await eventually(async () => (await get(`/api/runs/${run.runId}/results`)).json(), (b) => b.results?.length === 1, 10_000, 50);
    expect(body.results[0]).toMatchObject({ payload: 'zone-device', testIndex: 2, status: 'skip', reason: 'module test_hmm is not in this kernel (CONFIG_TEST_HMM=n)', metrics: [] });
  });

  it('refuses bad query parameters with a 400 naming them', async () => {
    for (const [query, path] of [['limit=0', 'limit'], ['arch=sparc', 'arch'], ['job=42', 'job'], ['cursor=abc', 'cursor'], ['colour=red', '']] as const) {
      const r = await get(`/api/measurements?${query}`);
      expect(r.status).toBe(400);
      const body = await r.json();
      expect(body.problems.length).toBeGreaterThan(0);
      if (path) expect(body.problems[0].path).toBe(path);
      else expect(JSON.stringify(body.problems)).toContain('colour');
    }
    expect((await get('/api/runs/not-a-uuid/results')).status).toBe(400);
    expect((await get('/api/runs/00000000-0000-4000-8000-000000000000/results')).status).toBe(404);
  });

  describe('comparing two jobs', () => {
    let baseline: LeasedRun[];
    let candidate: LeasedRun[];
    beforeAll(async () => {
      ({ baseline, candidate } = await abJobs(lab, (e) => lab.push(e)));
      await lab.settle();
    });

    it('calls a 20% slowdown a regression and an unchanged metric no-change, with one sample per run', async () => {
      const r = await compare({ baseline: { job: baseline[0].jobId }, candidate: { job: candidate[0].jobId } });
      expect(r.status).toBe(201);
      const c = await r.json();
      expect(c.verdict).toBe('regression');
      expect(c.sampling).toMatch(/one sample per run/);
      const add = c.results.find((x: { metric: string }) => x.metric === 'hotplug-add-remove.add_ns');
      const online = c.results.find((x: { metric: string }) => x.metric === 'hotplug-add-remove.online_ns');
      expect(add).toMatchObject({ unit: 'ns', n: [6, 6], verdict: 'regression' });
      expect(add.ratio).toBeCloseTo(1.2, 2);
      expect(add.ci[0]).toBeGreaterThan(1.05);
      expect(add.p).toBeLessThan(0.05);
      expect(online).toMatchObject({ n: [6, 6], ratio: 1, verdict: 'no-change' });
      // Every run of these fixtures has its own machine: the comparison says so.
      expect(c.baseline.machines).toHaveLength(6);
      expect(c.warnings).toEqual([`baseline ran on ${c.baseline.machines.join(', ')} and candidate on ${c.candidate.machines.join(', ')}: the differences include the machines'`]);
      const again = await (await get(`/api/comparisons/${c.id}`)).json();
      expect(again).toEqual(c);
    });

    it('restricts to the metrics asked for, honours higher-is-better and runs as sides', async () => {
      const r = await compare({
        baseline: { runs: baseline.map((x) => x.runId) }, candidate: { runs: candidate.map((x) => x.runId) },
        metrics: ['hotplug-add-remove.add_ns', 'hotplug-add-remove.nothing_ns'], higherIsBetter: ['hotplug-add-remove.add_ns'],
      });
      const c = await r.json();
      expect(c.results.map((x: { metric: string; verdict: string }) => [x.metric, x.verdict])).toEqual([
        ['hotplug-add-remove.add_ns', 'improvement'],
        ['hotplug-add-remove.nothing_ns', 'insufficient'],
      ]);
      expect(c.verdict).toBe('improvement');
    });

    it('names an unknown side (404) and refuses bad bodies (400)', async () => {
      const ghost = '00000000-0000-4000-8000-000000000000';
      const r = await compare({ baseline: { job: baseline[0].jobId }, candidate: { job: ghost } });
      expect(r.status).toBe(404);
      expect((await r.json()).message).toBe(`candidate: no job ${ghost}`);
      const runs = await compare({ baseline: { runs: [baseline[0].runId, ghost] }, candidate: { job: candidate[0].jobId } });
      expect(runs.status).toBe(404);
      expect((await runs.json()).message).toBe(`baseline: no run ${ghost}`);
      const overlap = await compare({ baseline: { job: baseline[0].jobId }, candidate: { runs: [baseline[0].runId] } });
      expect(overlap.status).toBe(400);
      const bad = await compare({ baseline: { job: baseline[0].jobId }, candidate: { job: candidate[0].jobId }, minEffect: 2 });
      expect(bad.status).toBe(400);
      expect((await bad.json()).problems[0].path).toBe('minEffect');
      expect((await compare({ baseline: { tag: 'x' }, candidate: { job: candidate[0].jobId } })).status).toBe(400);
      expect((await get(`/api/comparisons/${ghost}`)).status).toBe(404);
    });
  });
});
