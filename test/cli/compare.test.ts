import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PayloadRecorder } from '../../apps/server/src/measurements/payload-recorder';
import { BuildLab, type LeasedRun } from '../api/build-fixtures';
import { abJobs } from '../api/payload-fixtures';
import { pfnlab } from '../support/pfnlab-cli';
import { startTestServer, type TestServer } from '../support/test-server';


describe('pfnlab compare against a real server', () => {
  let s: TestServer;
  let lab: BuildLab;
  let dir: string;
  let env: Record<string, string>;
  let baseline: LeasedRun[];
  let candidate: LeasedRun[];

  beforeAll(async () => {
    // The API role only: payload results are recorded through the server's own PayloadRecorder, as the stream consumer would.
    s = await startTestServer({ label: 'clicompare' });
    lab = new BuildLab(s);
    await lab.open();
    const recorder = s.app.get(PayloadRecorder);
    ({ baseline, candidate } = await abJobs(lab, async (e) => expect(await recorder.apply(e)).toBe('applied')));
    dir = mkdtempSync(join(tmpdir(), 'pfnlab-cli-compare-'));
    env = { XDG_CONFIG_HOME: dir, HOME: dir, PFNLAB_SERVER: s.url, PFNLAB_TOKEN: s.adminToken };
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await lab.close();
    await s.close();
  });

  it('prints the table and exits 1 when a metric regressed', async () => {
    const r = await pfnlab(['compare', baseline[0].jobId, candidate[0].jobId], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`A: job ${baseline[0].jobId} (6 runs)`);
    expect(r.stdout).toMatch(/one sample per run/);
    expect(lines.find((l) => l.startsWith('hotplug-add-remove.add_ns'))).toMatch(/6\/6 .* 1\.2\d* .*REGRESSION$/);
    expect(lines.find((l) => l.startsWith('hotplug-add-remove.online_ns'))).toMatch(/6\/6 .*no change$/);
    expect(r.stdout).toMatch(/^2 metrics: 1 regression, 0 improvements, 1 no change/m);
    expect(r.stdout).toMatch(/^verdict: regression \(comparison [0-9a-f-]{36}\)$/m);
  });

  it('prints the record with --json, and exits 0 without a regression', async () => {
    const r = await pfnlab(['compare', `run:${baseline.map((x) => x.runId).join(',')}`, `job:${candidate[0].jobId}`, '--metric', 'hotplug-add-remove.online_ns', '--min-effect', '10%', '--json'], env);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c).toMatchObject({ verdict: 'no-change', options: { minEffect: 0.1 }, baseline: { runs: baseline.map((x) => x.runId), runCount: 6 }, candidate: { job: candidate[0].jobId, runCount: 6 } });
    expect(c.results).toEqual([expect.objectContaining({ metric: 'hotplug-add-remove.online_ns', n: [6, 6], ratio: 1, verdict: 'no-change' })]);
  });

  it('treats a higher-is-better metric that grew as an improvement', async () => {
    const r = await pfnlab(['compare', baseline[0].jobId, candidate[0].jobId, '--higher-is-better', 'hotplug-add-remove.add_ns', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).verdict).toBe('improvement');
  });

  it('names an unknown side and a malformed argument', async () => {
    const ghost = '00000000-0000-4000-8000-000000000000';
    const unknown = await pfnlab(['compare', baseline[0].jobId, ghost], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`candidate: no job ${ghost}`);
    expect(unknown.stderr).toContain('pfnlab jobs ls');
    const bad = await pfnlab(['compare', 'v6.12', ghost], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('A: "v6.12" is not a job id');
    const effect = await pfnlab(['compare', ghost, ghost, '--min-effect', '2'], env);
    expect(effect.code).toBe(2);
    expect(effect.stderr).toContain('--min-effect');
  });
});
