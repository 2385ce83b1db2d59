import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildEvent } from '@pfnlab/contracts';
import { BuildRecorder } from '../../apps/server/src/builds/build-recorder';
import { BuildLab, buildResult, newBuildId, REQUEST, sha, type LeasedRun } from '../api/build-fixtures';
import { pfnlab, startPfnlab } from '../support/pfnlab-cli';
import { startTestServer, type TestServer } from '../support/test-server';

const start = (args: string[], env: Record<string, string>) => startPfnlab(args, env);

describe('pfnlab builds against a real server', () => {
  let s: TestServer;
  let lab: BuildLab;
  let dir: string;
  let env: Record<string, string>;
  let recorder: BuildRecorder;
  let failed: { run: LeasedRun; id: string };
  let passed: { run: LeasedRun; id: string };
  const event = (run: LeasedRun, buildId: string, o: Partial<BuildEvent>) =>
    ({ type: 'build', runId: run.runId, leaseToken: run.leaseToken, buildId, state: 'running', at: new Date().toISOString(), ...o }) as BuildEvent;

  beforeAll(async () => {
    // The API role only: builds are recorded through the server's own BuildRecorder, as the stream consumer would.
    s = await startTestServer({ label: 'clibuilds' });
    lab = new BuildLab(s);
    await lab.open();
    recorder = s.app.get(BuildRecorder);
    dir = mkdtempSync(join(tmpdir(), 'pfnlab-cli-builds-'));
    env = { XDG_CONFIG_HOME: dir, HOME: dir, PFNLAB_SERVER: s.url, PFNLAB_TOKEN: s.adminToken };

    failed = { run: await lab.leasedRun(), id: newBuildId() };
    expect(await recorder.apply(event(failed.run, failed.id, { request: REQUEST, progress: { phase: 'compile', percent: 30 } }))).toBe('applied');
    expect(await recorder.apply(event(failed.run, failed.id, {
      state: 'finished',
      result: buildResult({
        status: 'FAIL',
        title: "mm/sparse-vmemmap.c:412:9: error: 'altmap' undeclared",
        phase: 'compile',
        image: null,
        artifacts: [{ name: 'build.log', bytes: 4096, sha256: sha('e') }],
        errors: [{ kind: 'compile', title: "'altmap' undeclared (first use in this function)", file: 'mm/sparse-vmemmap.c', line: 412, count: 1 }],
        droppedOptions: [{ option: 'CONFIG_ZONE_DEVICE', requested: 'y', actual: 'n', explanation: 'ZONE_DEVICE depends on MEMORY_HOTREMOVE=y, which is n' }],
        log: Array.from({ length: 30 }, (_, i) => `log line ${i + 1}`).join('\n') + '\n',
      }),
    }))).toBe('applied');

    passed = { run: await lab.leasedRun(undefined, 'arm64'), id: newBuildId() };
    await recorder.apply(event(passed.run, passed.id, { request: { ...REQUEST, arch: 'arm64' } }));
    await recorder.apply(event(passed.run, passed.id, {
      state: 'finished',
      result: buildResult({
        image: 'Image',
        artifacts: [{ name: 'Image', bytes: 9_437_184, sha256: sha('c') }, { name: 'vmlinux', bytes: 45_000_000, sha256: sha('d') }],
        metadata: {
          images: { Image: 9_437_184, vmlinux: 45_000_000 },
          toolchain: { kind: 'gcc', versions: { gcc: 'aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0' } },
          patches: [{ file: '0001-mm-hotplug-fix-pfn_valid.patch', sha256: sha('f'), subjects: ['mm/memory_hotplug: fix pfn_valid for sub-sections'] }],
        },
        sizeDelta: {
          baseBuildKey: sha('a'),
          total: { old: 10_000, new: 10_512, delta: 512, percent: 5.12 },
          counts: { add: 1, remove: 0, grow: 1, shrink: 0 },
          changes: [{ name: 'pfn_valid', old: 100, new: 412, delta: 312 }, { name: 'vmemmap_trace', old: null, new: 200, delta: 200 }],
          text: '',
        },
      }),
    }));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await lab.close();
    await s.close();
  });

  it('lists builds as a table and as JSON, with filters', async () => {
    const table = await pfnlab(['builds', 'ls'], env);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${passed.id}\\s+│\\s+PASS\\s+│\\s+arm64\\s+│\\s+v6\\.12\\s+│\\s+built bzImage\\s+│\\s+4m 02s`));
    expect(table.stdout).toMatch(new RegExp(`${failed.id}\\s+│\\s+FAIL\\s+│\\s+x86_64\\s+│\\s+v6\\.12\\s+│\\s+mm/sparse-vmemmap\\.c:412:9: error: 'altmap' undeclared`));
    const json = await pfnlab(['builds', 'ls', '--status', 'FAIL', '--json'], env);
    expect(JSON.parse(json.stdout).items.map((b: { id: string }) => b.id)).toEqual([failed.id]);
    const byJob = await pfnlab(['builds', 'ls', '--job', passed.run.jobId, '--json'], env);
    expect(JSON.parse(byJob.stdout).items.map((b: { id: string }) => b.id)).toEqual([passed.id]);
    expect((await pfnlab(['builds', 'ls', '--arch', 's390x'], env)).stdout).toBe('(none)\n');
    const bad = await pfnlab(['builds', 'ls', '--status', 'done'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown status "done"/);
  });

  it('shows a failed build: errors with file:line, dropped options with the reason', async () => {
    const r = await pfnlab(['builds', 'show', failed.id], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^status\s+FAIL$/m);
    expect(r.stdout).toMatch(/^title\s+mm\/sparse-vmemmap\.c:412:9: error: 'altmap' undeclared$/m);
    expect(r.stdout).toMatch(/^config\s+tinyconfig \+ 2 fragment lines$/m);
    expect(r.stdout).toMatch(/^patches\s+2$/m);
    expect(r.stdout).toMatch(/^\s+1\. 0001-mm-hotplug-fix-pfn_valid\.patch$/m);
    expect(r.stdout).toMatch(/^duration\s+4m 02s$/m);
    expect(r.stdout).toContain("errors (1):\n  mm/sparse-vmemmap.c:412: compile: 'altmap' undeclared (first use in this function)\n");
    expect(r.stdout).toContain('  CONFIG_ZONE_DEVICE=y became n: ZONE_DEVICE depends on MEMORY_HOTREMOVE=y, which is n\n');
    expect(r.stdout).toContain(`log: 351 B: pfnlab builds log ${failed.id} [--tail N]`);
    const json = JSON.parse((await pfnlab(['builds', 'show', failed.id, '--json'], env)).stdout);
    expect(json).toMatchObject({ id: failed.id, status: 'FAIL', errors: [{ file: 'mm/sparse-vmemmap.c', line: 412 }], logBytes: 351 });
    expect(json).not.toHaveProperty('log');
  });

  it('shows a passed build: toolchain, patches with hashes, image sizes, size delta', async () => {
    const r = await pfnlab(['builds', 'show', passed.id], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^toolchain\s+gcc \(aarch64-linux-gnu-gcc \(Debian 12\.2\.0-14\) 12\.2\.0\)$/m);
    expect(r.stdout).toMatch(/^\s+1\. 0001-mm-hotplug-fix-pfn_valid\.patch sha256:ffffffffffff  "mm\/memory_hotplug: fix pfn_valid for sub-sections"$/m);
    expect(r.stdout).toMatch(/^image\s+Image  \(Image 9\.0 MiB, vmlinux 42\.9 MiB\)$/m);
    expect(r.stdout).toMatch(/^reused\s+no$/m);
    expect(r.stdout).toContain('size delta against base build aaaaaaaaaaaa: +512 bytes (+5.12%), 10000 -> 10512; 1 added, 0 removed, 1 grown, 0 shrunk\n');
    expect(r.stdout).toMatch(/^\s+\+312  pfn_valid\n\s+\+200  vmemmap_trace$/m);
  });

  it('prints the log, or its last lines', async () => {
    const whole = await pfnlab(['builds', 'log', failed.id], env);
    expect(whole.code).toBe(0);
    expect(whole.stdout.split('\n')).toHaveLength(31);
    const tail = await pfnlab(['builds', 'log', failed.id, '--tail', '3'], env);
    expect(tail.stdout).toBe('log line 28\nlog line 29\nlog line 30\n');
    expect((await pfnlab(['builds', 'log', failed.id, '--tail', 'x'], env)).code).toBe(2);
    const run = await lab.leasedRun();
    const running = newBuildId();
    await recorder.apply(event(run, running, { request: REQUEST, progress: { phase: 'compile', percent: 12.5 } }));
    const early = await pfnlab(['builds', 'log', running], env);
    expect(early.code).toBe(1);
    expect(early.stderr).toBe(`pfnlab: build ${running} is running: its log is stored when it finishes (follow it with \`pfnlab builds watch ${running}\`)\n`);
    const ls = await pfnlab(['builds', 'ls', '--status', 'running'], env);
    expect(ls.stdout).toMatch(new RegExp(`${running}\\s+│\\s+running\\s+│\\s+x86_64\\s+│\\s+v6\\.12\\s+│\\s+compile 12%\\s+│\\s+\\d+s so far`));
  });

  it('lists artifacts for people and for scripts', async () => {
    const table = await pfnlab(['builds', 'artifacts', passed.id], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`location  file:///var/lib/pfnlab/artifacts/bb/${sha('b')}\nimage     Image\n`);
    expect(table.stdout).toMatch(new RegExp(`Image\\s+│\\s+9\\.0 MiB\\s+│\\s+9437184\\s+│\\s+${sha('c')}`));
    const json = JSON.parse((await pfnlab(['builds', 'artifacts', passed.id, '--json'], env)).stdout);
    expect(json).toEqual({
      id: passed.id, status: 'PASS', location: `file:///var/lib/pfnlab/artifacts/bb/${sha('b')}`, image: 'Image',
      files: [{ name: 'Image', bytes: 9_437_184, sha256: sha('c') }, { name: 'vmlinux', bytes: 45_000_000, sha256: sha('d') }],
    });
  });

  it('says so when a build does not exist, and what to run', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const cmd of ['show', 'log', 'artifacts', 'watch']) {
      const r = await pfnlab(['builds', cmd, unknown], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`pfnlab: no build ${unknown}\n  \`pfnlab builds ls\` lists builds (\`--job JOB_ID\` a job's builds)\n`);
    }
    const notId = await pfnlab(['builds', 'show', 'abc'], env);
    expect(notId.code).toBe(2);
    expect(notId.stderr).toMatch(/"abc" is not a build id/);
  });

  it('watches a build live until it finishes, exiting 1 on FAIL and 0 on PASS', async () => {
    const follow = async (status: 'PASS' | 'FAIL', json: boolean) => {
      const run = await lab.leasedRun();
      const id = newBuildId();
      await recorder.apply(event(run, id, { request: REQUEST, progress: { phase: 'config', percent: null, message: 'olddefconfig' } }));
      const w = start(['builds', 'watch', id, ...(json ? ['--json'] : [])], env);
      const until = async (re: RegExp) => {
        for (let i = 0; i < 150 && !re.test(w.stdout()); i++) await new Promise((r) => setTimeout(r, 100));
        expect(w.stdout()).toMatch(re);
      };
      await until(/config/);
      await new Promise((r) => setTimeout(r, 300)); // the live stream is open
      await recorder.apply(event(run, id, { progress: { phase: 'compile', percent: 55, message: '1600/2900 objects' } }));
      await until(/55/);
      await recorder.apply(event(run, id, { state: 'finished', result: buildResult({ status, title: status === 'PASS' ? 'built bzImage' : 'undefined reference to `pfn_to_online_page\'' }) }));
      return w.result;
    };
    const failedWatch = await follow('FAIL', false);
    expect(failedWatch.code).toBe(1);
    expect(failedWatch.stdout).toMatch(/\] config \(olddefconfig\)\n/);
    expect(failedWatch.stdout).toMatch(/\] compile 55% \(1600\/2900 objects\)\n/);
    expect(failedWatch.stdout).toMatch(/\] FAIL: undefined reference to `pfn_to_online_page' \(4m 02s\)\n/);
    const passedWatch = await follow('PASS', true);
    expect(passedWatch.code).toBe(0);
    const events = passedWatch.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['state', 'progress', 'progress', 'end']);
    expect(events[2]).toMatchObject({ phase: 'compile', percent: 55 });
    expect(events[3].build).toMatchObject({ status: 'PASS', title: 'built bzImage' });
  });
});
