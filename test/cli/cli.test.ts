import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pfnlab } from '../support/pfnlab-cli';
import { startTestServer, type TestServer } from '../support/test-server';


describe('pfnlab CLI against a real server', () => {
  let s: TestServer;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    s = await startTestServer({ label: 'cli' });
    dir = mkdtempSync(join(tmpdir(), 'pfnlab-cli-'));
    env = { XDG_CONFIG_HOME: dir, HOME: dir };
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await s.close();
  });

  it('says clearly when the server is unreachable', async () => {
    const r = await pfnlab(['login', '--server', 'http://127.0.0.1:1', '--token', 'pfn_aaaaaaaaaaaaaaaaaaaaaaaaaaaaa'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the pfnlab server at http:\/\/127\.0\.0\.1:1/);
    expect(r.stderr).toMatch(/npm run demo|PFNLAB_SERVER/);
  });

  it('refuses a wrong token at login and saves nothing', async () => {
    const r = await pfnlab(['login', '--server', s.url, '--token', 'pfn_wrongwrongwrongwrongwrong'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused the token/);
    expect(() => statSync(join(dir, 'pfnlab', 'config.json'))).toThrow();
  });

  it('logs in with a token from stdin and stores it privately', async () => {
    const r = await pfnlab(['login', '--server', s.url, '--token', '-', '--json'], env, s.adminToken + '\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ user: 'admin', role: 'admin' });
    expect(statSync(join(dir, 'pfnlab', 'config.json')).mode & 0o777).toBe(0o600);
  });

  it('adds, lists and shows machines; secrets go in, never come out', async () => {
    const file = join(dir, 'p9.yaml');
    writeFileSync(
      file,
      [
        'name: p9-02',
        'lab: lab-austin',
        'arch: ppc64le',
        'platform: power9',
        'memoryMiB: 131072',
        'power: {driver: ipmi, host: 10.2.0.5, username: ADMIN, passwordRef: "stored:power-password"}',
        'console: {driver: ipmi-sol}',
        'boot: {method: petitboot, consoleParams: [console=hvc0]}',
      ].join('\n'),
    );
    const add = await pfnlab(['machines', 'add', file, '--secret', 'power-password=env:P9_BMC_PW'], { ...env, P9_BMC_PW: 'opensesame-p9' });
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/added p9-02 \(ppc64le, power9\) to lab lab-austin/);
    const ls = await pfnlab(['machines', 'ls', '--json'], env);
    expect(JSON.parse(ls.stdout).map((m: { name: string }) => m.name)).toEqual(['p9-02']);
    const table = await pfnlab(['machines', 'ls'], env);
    expect(table.stdout).toMatch(/p9-02\s+│\s+lab-austin\s+│\s+ppc64le\s+│\s+power9\s+│\s+128 GiB\s+│\s+unknown/);
    const show = await pfnlab(['machines', 'show', 'p9-02'], env);
    expect(show.stdout).not.toContain('opensesame-p9');
    expect(show.stdout).toMatch(/"power-password":true/);
    const missing = await pfnlab(['machines', 'show', 'nope'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no machine "nope"/);
  });

  it('puts a machine in maintenance and back, and shows its health history', async () => {
    const on = await pfnlab(['machines', 'maintenance', 'p9-02', 'on', '--reason', 'replacing a DIMM'], env);
    expect(on.stderr).toBe('');
    expect(on.stdout).toBe('p9-02: maintenance\n');
    const off = await pfnlab(['machines', 'maintenance', 'p9-02', 'off', '--reason', 'DIMM replaced'], env);
    expect(off.stdout).toBe('p9-02: unknown (a health check decides whether it is good)\n');
    const bad = await pfnlab(['machines', 'maintenance', 'p9-02', 'maybe'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected on or off/);
    const history = JSON.parse((await pfnlab(['machines', 'health', 'p9-02', '--json'], env)).stdout);
    expect(history.map((e: { fromState: string; toState: string; reason: string }) => [e.fromState, e.toState, e.reason])).toEqual([
      ['maintenance', 'unknown', 'DIMM replaced'],
      ['unknown', 'maintenance', 'replacing a DIMM'],
      [null, 'unknown', 'machine added'],
    ]);
    const table = await pfnlab(['machines', 'health', 'p9-02'], env);
    expect(table.stdout).toMatch(/unknown\s+│\s+maintenance\s+│\s+\S+\s+│\s+replacing a DIMM/);
  });

  it('submits, lists, shows and cancels jobs, with --json for scripts', async () => {
    const file = join(__dirname, '../../deploy/examples/boot-x86.yaml');
    const sub = await pfnlab(['jobs', 'submit', file, '--json'], env);
    expect(sub.code).toBe(0);
    const { id } = JSON.parse(sub.stdout);
    const ls = await pfnlab(['jobs', 'ls', '--json'], env);
    expect(JSON.parse(ls.stdout).items[0]).toMatchObject({ id, state: 'queued' });
    const show = await pfnlab(['jobs', 'show', id], env);
    expect(show.stdout).toMatch(/state\s+queued/);
    const cancel = await pfnlab(['jobs', 'cancel', id], env);
    expect(cancel.stdout).toBe(`canceled job ${id}\n`);
    const again = await pfnlab(['jobs', 'cancel', id], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/only queued or running jobs can be canceled/);
  });

  it('shows every problem of a bad job file with its line, and exits non-zero', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'kernel:\n  tree: /srv/linux\n  ref: "$(reboot)"\narch: x86_64\ntarget: {machine: x86-01}\nboot: {cmdline: ["a;b"]}\n');
    const r = await pfnlab(['jobs', 'submit', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/kernel\.ref \(line 3:8\): is not a safe git ref/);
    expect(r.stderr).toMatch(/boot\.cmdline\[0\] \(line 6:18\)/);
    const nofile = await pfnlab(['jobs', 'submit', join(dir, 'nope.yaml')], env);
    expect(nofile.code).toBe(2);
    expect(nofile.stderr).toMatch(/cannot read .*nope\.yaml: ENOENT/);
    expect((await pfnlab(['jobs', 'show', 'not-a-uuid'], env)).code).toBe(2);
    expect((await pfnlab(['jobs', 'frobnicate'], env)).code).toBe(2);
  });

  it('tells a viewer it lacks the role', async () => {
    const u = await (await s.api('/api/users', { method: 'POST', json: { name: 'viewer1', role: 'viewer' } })).json();
    const t = await (await s.api(`/api/users/${u.id}/tokens`, { method: 'POST', json: { name: 'v' } })).json();
    const r = await pfnlab(['jobs', 'submit', join(__dirname, '../../deploy/examples/boot-x86.yaml')], { ...env, PFNLAB_TOKEN: t.token });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not allowed: this action needs the operator role/);
  });
});
