import { BuildRecorder } from '../../apps/server/src/builds/build-recorder';
import { RunRecorder } from '../../apps/server/src/runs/run-recorder';
import { eventually } from '../support/eventually';
import type { TestServer } from '../support/test-server';
import { BuildLab, useBuildLab, buildResult, newBuildId, REQUEST, sha, type LeasedRun } from './build-fixtures';

describe('kernel builds reported by agents: recording and the read API', () => {
  let s: TestServer;
  let lab: BuildLab;
  let viewer: string;
  const get = (path: string) => s.api(path, { token: viewer });
  const show = async (id: string) => (await get(`/api/builds/${id}`)).json();

  useBuildLab('builds', (x) => ({ s, lab, viewer } = x));

  describe('a build from first progress to result', () => {
    let run: LeasedRun;
    const id = newBuildId();

    it('starts running on the first event, with the request and progress, and links the run', async () => {
      run = await lab.leasedRun();
      const t0 = Date.now();
      await lab.push(lab.running(run, id, { request: REQUEST, progress: { phase: 'fetch', percent: null, message: 'fetching v6.12' } }));
      const b = await eventually(() => show(id), (x) => x.status === 'running', 5000, 50);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(b).toMatchObject({
        id, status: 'running', arch: 'x86_64', tree: '/srv/linux', ref: 'v6.12', toolchain: 'gcc', phase: 'fetch',
        config: { base: 'tinyconfig', fragments: REQUEST.fragments }, patches: REQUEST.patches,
        progress: { phase: 'fetch', percent: null, message: 'fetching v6.12' }, jobId: run.jobId, runId: run.runId, title: null, finishedAt: null,
      });
      expect(Date.parse(b.startedAt)).toBeGreaterThan(0);
      expect((await lab.pg.query(`SELECT build_id FROM runs WHERE id = $1`, [run.runId])).rows[0].build_id).toBe(id);
    });

    // How fast it shows is the stream consumer's business (bench/, not a timing threshold here).
    it('replaces the progress with each report, visible through GET', async () => {
      await lab.push(lab.running(run, id, { progress: { phase: 'compile', percent: 42.5, message: '1234/2900 objects' } }));
      const b = await eventually(() => show(id), (x) => x.progress?.percent === 42.5, 10_000, 50);
      expect(b.progress).toEqual({ phase: 'compile', percent: 42.5, message: '1234/2900 objects', updatedAt: expect.any(String) });
      expect(b.phase).toBe('compile');
    });

    it('ignores an older progress report that arrives late', async () => {
      await lab.push(lab.running(run, id, { progress: { phase: 'config', percent: null }, at: new Date(Date.now() - 60_000).toISOString() }));
      await lab.settle();
      expect((await show(id)).progress).toMatchObject({ phase: 'compile', percent: 42.5 });
    });

    it('stores the result on the finished event; the log stays out of GET', async () => {
      await lab.push(lab.finished(run, id, buildResult({
        status: 'FAIL',
        title: "mm/memory_hotplug.c:1234:5: error: implicit declaration of function 'pfn_valid_within'",
        phase: 'compile',
        image: null,
        artifacts: [{ name: 'build.log', bytes: 2048, sha256: sha('e') }],
        errors: [{ kind: 'compile', title: "implicit declaration of function 'pfn_valid_within'", file: 'mm/memory_hotplug.c', line: 1234, count: 2 }],
        warnings: 7,
        droppedOptions: [{ option: 'CONFIG_ZONE_DEVICE', requested: 'y', actual: 'n', explanation: 'CONFIG_ZONE_DEVICE depends on MEMORY_HOTREMOVE, which is not set' }],
        sizeDelta: { baseBuildKey: sha('a'), total: { old: 1000, new: 1500, delta: 500, percent: 50 }, counts: { add: 1, remove: 0, grow: 1, shrink: 0 }, changes: [{ name: 'pfn_valid', old: 100, new: 400, delta: 300 }, { name: 'vmemmap_trace', old: null, new: 200, delta: 200 }], text: 'add/remove: 1/0 grow/shrink: 1/0 up/down: 500/0 (500)' },
        log: Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n') + '\n',
      })));
      const b = await eventually(() => show(id), (x) => x.status === 'FAIL', 5000, 50);
      expect(b).toMatchObject({
        status: 'FAIL', title: "mm/memory_hotplug.c:1234:5: error: implicit declaration of function 'pfn_valid_within'", phase: 'compile',
        progress: null, commit: '4'.repeat(40), contentHash: sha('b'), reused: false, seconds: 241.5, warnings: 7, errorCount: 1,
        errors: [{ kind: 'compile', file: 'mm/memory_hotplug.c', line: 1234, count: 2 }],
        droppedOptions: [{ option: 'CONFIG_ZONE_DEVICE', requested: 'y', actual: 'n' }],
        sizeDelta: { total: { delta: 500 }, changes: [{ name: 'pfn_valid', delta: 300 }, { name: 'vmemmap_trace', delta: 200 }] },
        logBytes: 71,
      });
      expect(b).not.toHaveProperty('log');
      expect(Date.parse(b.finishedAt)).toBeGreaterThanOrEqual(Date.parse(b.startedAt));
    });

    it('serves the log as text, whole or its last lines', async () => {
      const whole = await get(`/api/builds/${id}/log`);
      expect(whole.status).toBe(200);
      expect(whole.headers.get('content-type')).toMatch(/^text\/plain/);
      expect((await whole.text()).split('\n')).toHaveLength(11);
      expect(await (await get(`/api/builds/${id}/log?tail=2`)).text()).toBe('line 9\nline 10\n');
      const bad = await get(`/api/builds/${id}/log?tail=0`);
      expect(bad.status).toBe(400);
      expect((await bad.json()).problems).toEqual([{ path: 'tail', message: expect.stringMatching(/>=\s*1/) }]);
    });

    it('changes nothing on a redelivered or a second finished event, or on a late progress report', async () => {
      const before = await lab.row(id);
      await lab.push(lab.finished(run, id, buildResult({ status: 'PASS', title: 'built bzImage' })));
      await lab.push(lab.running(run, id, { progress: { phase: 'package', percent: null }, at: new Date(Date.now() + 60_000).toISOString() }));
      await lab.settle();
      expect(await lab.row(id)).toEqual(before);
      expect((await show(id)).status).toBe('FAIL');
    });
  });

  it('ignores events carrying a stale lease token, and events after the run ended', async () => {
    const run = await lab.leasedRun();
    const id = newBuildId();
    await lab.push(lab.running(run, id, { request: REQUEST, progress: { phase: 'compile', percent: 10 } }));
    await lab.settle();
    const before = await lab.row(id);
    expect(before).toMatchObject({ status: 'running' });
    const stale = { ...run, leaseToken: '6' };
    const other = newBuildId();
    await lab.push(lab.running(stale, other, { request: REQUEST, progress: { phase: 'fetch', percent: null } }));
    await lab.push(lab.running(stale, id, { progress: { phase: 'compile', percent: 90 } }));
    await lab.push(lab.finished(stale, id));
    await lab.settle();
    expect(await lab.row(other)).toBeUndefined();
    expect(await lab.row(id)).toEqual(before);
    expect(s.logger.lines.some((l) => l.includes(`ignored a finished event of build ${id}`) && l.includes('lease 6'))).toBe(true);

    // The run ends with its build unfinished: the build ends as ERROR, and later reports change nothing.
    await lab.push({ type: 'finished', runId: run.runId, leaseToken: '7', consoleLines: 0, machineState: 'good', at: new Date().toISOString() });
    const ended = await eventually(() => show(id), (x) => x.status === 'ERROR', 5000, 50);
    expect(ended).toMatchObject({ status: 'ERROR', title: expect.stringMatching(/^the run ended before its build finished/), progress: null });
    const after = await lab.row(id);
    await lab.push(lab.finished(run, id));
    await lab.settle();
    expect(await lab.row(id)).toEqual(after);
  });

  it('writes nothing for an event that breaks the contract', async () => {
    const run = await lab.leasedRun();
    const id = newBuildId();
    await lab.push(lab.running(run, id, { request: REQUEST, progress: { phase: 'compile', percent: 150 } }));
    await lab.push(lab.finished(run, id, { ...buildResult(), status: 'MAYBE' } as never));
    await lab.push({ ...lab.finished(run, id), result: undefined });
    await lab.push(lab.running(run, id, { request: REQUEST, extra: 1 } as never));
    await lab.settle();
    expect(await lab.row(id)).toBeUndefined();
    // A timestamp that is no time is refused before anything is written.
    expect(await s.app.get(BuildRecorder).apply({ type: 'build', runId: run.runId, leaseToken: '7', buildId: id, state: 'running', request: REQUEST, at: 'yesterday' })).toBe('stale');
    expect(await lab.row(id)).toBeUndefined();
  });

  it("takes the request from the job's kernel section when the first event to arrive has none", async () => {
    const run = await lab.leasedRun({ tree: 'https://builder:s3cr3t-t0ken@git.example.com/linux.git', ref: 'mm-unstable', config: { base: 'defconfig', fragments: [] }, patches: [], toolchain: 'llvm' });
    const id = newBuildId();
    await lab.push(lab.finished(run, id, buildResult({
      reused: true,
      seconds: 2,
      location: 's3://AKIAEXAMPLE:wJalrXUtnFEMI@pfnlab-builds/' + sha('b'),
      metadata: { tree: 'https://builder:s3cr3t-t0ken@git.example.com/linux.git', token: 'abc', images: { bzImage: 1 } },
    })));
    const b = await eventually(() => show(id), (x) => x.status === 'PASS', 5000, 50);
    expect(b).toMatchObject({ tree: 'https://git.example.com/linux.git', ref: 'mm-unstable', toolchain: 'llvm', config: { base: 'defconfig', fragments: [] }, reused: true });
    expect(b.location).toBe('s3://pfnlab-builds/' + sha('b'));
    expect(b.metadata).toEqual({ tree: 'https://git.example.com/linux.git', token: '[redacted]', images: { bzImage: 1 } });
    expect(Date.parse(b.finishedAt) - Date.parse(b.startedAt)).toBe(2000);
    const everything = JSON.stringify(b) + (await (await get(`/api/builds/${id}/artifacts`)).text()) + s.logger.lines.join('\n');
    expect(everything).not.toMatch(/s3cr3t|wJalrXUtnFEMI/);
  });

  it('serves the artifacts: location, image and files with sizes and hashes', async () => {
    const run = await lab.leasedRun();
    const id = newBuildId();
    await lab.push(lab.running(run, id, { request: REQUEST, progress: { phase: 'compile', percent: 5 } }));
    await lab.settle();
    expect(await (await get(`/api/builds/${id}/artifacts`)).json()).toEqual({ id, status: 'running', location: null, image: null, files: [] });
    const log = await get(`/api/builds/${id}/log`);
    expect(log.status).toBe(409);
    expect((await log.json()).message).toMatch(/is running: its log is stored when it finishes/);
    await lab.push(lab.finished(run, id));
    await eventually(() => show(id), (x) => x.status === 'PASS', 5000, 50);
    expect(await (await get(`/api/builds/${id}/artifacts`)).json()).toEqual({
      id, status: 'PASS', location: 'file:///var/lib/pfnlab/artifacts/bb/' + sha('b'), image: 'bzImage',
      files: [
        { name: 'bzImage', bytes: 1_234_567, sha256: sha('c') },
        { name: 'vmlinux', bytes: 45_000_000, sha256: sha('d') },
        { name: 'build.log', bytes: 2048, sha256: sha('e') },
      ],
    });
  });

  it('ends the builds of a run the lab lost', async () => {
    const run = await lab.leasedRun();
    const id = newBuildId();
    await lab.push(lab.running(run, id, { request: REQUEST, progress: { phase: 'compile', percent: 60 } }));
    await lab.settle();
    expect(await s.app.get(RunRecorder).abandon(run.runId, 'the lab lost the run')).toBe(true);
    expect(await show(id)).toMatchObject({ status: 'ERROR', title: 'the run ended before its build finished: the lab lost the run', progress: null });
  });

  describe('listing', () => {
    let arm: LeasedRun;
    let armBuild: string;

    beforeAll(async () => {
      arm = await lab.leasedRun(undefined, 'arm64');
      armBuild = newBuildId();
      await lab.push(lab.running(arm, armBuild, { request: { ...REQUEST, arch: 'arm64' }, progress: { phase: 'patch', percent: null } }));
      await lab.settle();
    });

    it('filters by status, arch, job and run, newest first', async () => {
      const list = async (q: string) => (await (await get(`/api/builds?${q}`)).json()).items.map((b: { id: string }) => b.id);
      expect(await list('arch=arm64')).toEqual([armBuild]);
      expect(await list(`job=${arm.jobId}`)).toEqual([armBuild]);
      expect(await list(`run=${arm.runId}`)).toEqual([armBuild]);
      expect(await list('status=running&arch=arm64')).toEqual([armBuild]);
      expect(await list('status=PASS&arch=arm64')).toEqual([]);
      const all = (await (await get('/api/builds')).json()).items;
      expect(all.length).toBeGreaterThanOrEqual(5);
      expect(all[0].id).toBe(armBuild);
      for (let i = 1; i < all.length; i++) expect(Date.parse(all[i - 1].createdAt)).toBeGreaterThanOrEqual(Date.parse(all[i].createdAt));
      expect(all.every((b: object) => !('log' in b) && !('sizeDelta' in b) && !('metadata' in b))).toBe(true);
      expect(all[0]).toMatchObject({ status: 'running', progress: { phase: 'patch', percent: null } });
    });

    it('pages with a cursor', async () => {
      const all = (await (await get('/api/builds?limit=500')).json()).items.map((b: { id: string }) => b.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ id: string }>; nextCursor: string | null } = await (await get(`/api/builds?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((b) => b.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
    });

    it('refuses bad filters with 400 naming them', async () => {
      for (const [q, path] of [['status=done', 'status'], ['arch=sparc', 'arch'], ['job=12', 'job'], ['limit=0', 'limit'], ['stat=PASS', 'stat']] as const) {
        const r = await get(`/api/builds?${q}`);
        expect(r.status).toBe(400);
        const body = await r.json();
        expect(body.message).toBe('invalid query');
        expect(body.problems[0].path).toBe(path);
      }
      expect((await get('/api/builds?cursor=bogus')).status).toBe(400);
    });
  });

  it('answers 404 for an unknown build, 400 for a malformed id, 401 without a token', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const path of ['', '/log', '/artifacts', '/events']) {
      const r = await get(`/api/builds/${unknown}${path}`);
      expect(r.status).toBe(404);
      expect((await r.json()).message).toBe(`no build ${unknown}`);
    }
    expect((await get('/api/builds/not-a-uuid')).status).toBe(400);
    expect((await s.api('/api/builds', { token: null })).status).toBe(401);
  });
});
