import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { InventorySchema } from '@pfnlab/contracts';
import { HmcClient } from '../../apps/vlab/src/hmc-client';
import { ipmi, labPids, machineDir, pfnlab, qmp, REPO, sleep, Sol, sshExec, TEST_DIR, testEnv } from './helpers';

/*
 * The virtual lab end to end, through its real interfaces: ipmitool (IPMI
 * 2.0 + SOL against ipmi_sim), ssh, QMP, the HMC emulation over HTTPS,
 * Redfish with Debian's python3-sushy, ser2net and conserver. One
 * `vlab up` (machines powered off) is shared by the whole file; a separate
 * data dir and port range keep it away from a developer's running lab.
 */

jest.setTimeout(300_000);

type State = { ports: Record<string, Record<string, number>>; processes: Record<string, { pid: number }> };
const state = (): State => JSON.parse(fs.readFileSync(path.join(TEST_DIR, 'state.json'), 'utf8'));
const HMC_TIMEOUT = '6';
const env = testEnv({ PFNLAB_VLAB_HMC_SESSION_TIMEOUT: HMC_TIMEOUT });

beforeAll(() => {
  // The CLI and the emulators run from dist/.
  spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8', timeout: 300_000 });
  pfnlab(['vlab', 'down'], env);
  const r = pfnlab(['vlab', 'up', '--no-power-on'], env);
  if (r.code !== 0) throw new Error(`vlab up failed: ${r.stderr}${r.stdout}`);
}, 900_000);

afterAll(() => {
  pfnlab(['vlab', 'down'], env);
});

describe('vlab up / status / inventory', () => {
  it('a second `vlab up` is idempotent: same processes, same ports', () => {
    const before = state();
    const r = pfnlab(['vlab', 'up', '--no-power-on', '--json'], env);
    expect(r.code).toBe(0);
    const after = state();
    expect(after.ports).toEqual(before.ports);
    expect(Object.fromEntries(Object.entries(after.processes).map(([k, v]) => [k, v.pid])))
      .toEqual(Object.fromEntries(Object.entries(before.processes).map(([k, v]) => [k, v.pid])));
    const s = JSON.parse(r.stdout);
    expect(s.machines.map((m: { name: string }) => m.name)).toEqual(['x86-01', 'tx2-01', 'p9-01', 'z15-lpar-01']);
    expect(s.services.every((v: { state: string }) => v.state === 'running')).toBe(true);
    const all = Object.values(after.ports).flatMap((p) => Object.values(p));
    expect(new Set(all).size).toBe(all.length);
  });

  it('writes an inventory that InventorySchema accepts, with credentials by file reference', () => {
    for (const flags of [[], ['--redfish', '--console-servers']]) {
      const r = pfnlab(['vlab', 'inventory', ...flags], env);
      expect(r.code).toBe(0);
      const inv = InventorySchema.parse(YAML.parse(r.stdout));
      expect(inv.machines.map((m) => m.name)).toEqual(['x86-01', 'tx2-01', 'p9-01', 'z15-lpar-01']);
      for (const m of inv.machines) {
        expect(m.power.passwordRef).toMatch(/^file:\//);
        expect(fs.existsSync(m.power.passwordRef.slice(5))).toBe(true);
        expect(m.ssh?.privateKeyRef).toBe(`file:${TEST_DIR}/secrets/id_ed25519`);
      }
      const x86 = inv.machines[0];
      if (flags.length) {
        expect(x86.power.driver).toBe('redfish');
        expect(x86.console).toEqual({ driver: 'conserver', host: '127.0.0.1', port: state().ports.lab.conserver, name: 'x86-01' });
        expect(inv.machines[1].console.driver).toBe('telnet');
      } else {
        expect(x86.power).toMatchObject({ driver: 'ipmi', host: '127.0.0.1', port: state().ports['x86-01'].ipmi, cipherSuite: 3 });
        expect(x86.console).toEqual({ driver: 'ipmi-sol', instance: 1 });
      }
      expect(inv.machines[3].power).toMatchObject({ driver: 'hmc', cpc: 'VLABZ15', lpar: 'VLABLP01' });
      expect(x86.boot.stagingDir).toBe(`${TEST_DIR}/machines/x86-01/boot/next`);
    }
  });

  it('rejects unknown machines and faults with a hint', () => {
    const r = pfnlab(['vlab', 'fault', 'nope-01', 'bmc-silent'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no vlab machine "nope-01"/);
    const r2 = pfnlab(['vlab', 'fault', 'x86-01', 'explode'], env);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/use one of/);
  });
});

describe('x86-01: IPMI power + SOL, SSH, memory hot-add, Redfish (sushy), conserver', () => {
  it('boots on `chassis power on` with earlycon on SOL, answers SSH, hot-adds memory', async () => {
    const p = state().ports['x86-01'];
    expect(ipmi(p.ipmi, ['chassis', 'power', 'status']).out).toMatch(/is off/);
    const t0 = Date.now();
    expect(ipmi(p.ipmi, ['chassis', 'power', 'on']).out).toMatch(/Up\/On/);
    const sol = new Sol(p.ipmi, 'x86-01');
    try {
      const text = await sol.waitFor(/VLAB-READY/, 120_000);
      process.stdout.write(`x86-01: power on -> VLAB-READY on SOL in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      expect(text).toMatch(/earlycon: uart8250 at I\/O port 0x3f8/);
      expect(text).toMatch(/VLAB-MARKER init reached: x86_64 6\.1\./);
    } finally { await sol.close(); }
    expect((await sshExec(p.ssh, 'uname -m')).trim()).toBe('x86_64');
    // virtio-mem: plug 256 MiB through QMP, online the new blocks in the guest.
    const before = Number(/MemTotal:\s+(\d+)/.exec(await sshExec(p.ssh, 'cat /proc/meminfo'))![1]);
    const r = await qmp(path.join(machineDir('x86-01'), 'qmp.sock'), 'qom-set', { path: 'vm0', property: 'requested-size', value: 256 * 1024 * 1024 });
    expect(r).toEqual({ return: {} });
    let after = before;
    for (let i = 0; i < 30 && after < before + 200_000; i++) {
      await sleep(1000);
      await sshExec(p.ssh, 'for b in /sys/devices/system/memory/memory*; do [ "$(cat $b/state)" = offline ] && echo online_movable > $b/state; done; true');
      after = Number(/MemTotal:\s+(\d+)/.exec(await sshExec(p.ssh, 'cat /proc/meminfo'))![1]);
    }
    expect(after - before).toBeGreaterThanOrEqual(256 * 1024 - 1024);
    // conserver has been logging the second UART (kernel console) all along.
    const cs = fs.readFileSync(path.join(TEST_DIR, 'conserver', 'x86-01.log'), 'utf8');
    expect(cs).toMatch(/Linux version 6\.1\./);
    const info = spawnSync('console', ['-M', '127.0.0.1', '-p', String(state().ports.lab.conserver), '-i'], { encoding: 'utf8' });
    expect(info.stdout).toMatch(/x86-01:.*:up:/);
  });

  it('Redfish: python3-sushy sees PowerState On and turns the machine off with ForceOff', () => {
    const p = state().ports['x86-01'];
    const pw = fs.readFileSync(path.join(TEST_DIR, 'secrets', 'bmc-password'), 'utf8').trim();
    const py = `
import sys, time, sushy, urllib3
urllib3.disable_warnings()
s = sushy.Sushy('https://127.0.0.1:${p.redfish}/redfish/v1', username='admin', password=sys.argv[1], verify='${TEST_DIR}/secrets/tls.crt')
sysm = s.get_system('/redfish/v1/Systems/x86-01')
v = lambda x: getattr(x, 'value', x)
print('STATE', v(sysm.power_state))
print('ALLOWED', sorted(v(x) for x in sysm.get_allowed_reset_system_values()))
sysm.reset_system(sushy.RESET_FORCE_OFF)
time.sleep(2)
sysm.refresh()
print('STATE', v(sysm.power_state))
`;
    // requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override the session's CA (the vlab's own certificate).
    const pyEnv = { ...process.env };
    delete pyEnv.REQUESTS_CA_BUNDLE;
    delete pyEnv.CURL_CA_BUNDLE;
    const r = spawnSync('/usr/bin/python3', ['-c', py, pw], { encoding: 'utf8', timeout: 60_000, env: pyEnv });
    expect(r.stderr).not.toMatch(/Traceback/);
    expect(r.stdout).toMatch(/STATE On\n/);
    expect(r.stdout).toMatch(/STATE Off\n/);
    expect(r.stdout).toMatch(/'ForceOff'/);
    expect(ipmi(p.ipmi, ['chassis', 'power', 'status']).out).toMatch(/is off/);
    const bad = spawnSync('/usr/bin/python3', ['-c', py, 'wrong-password'], { encoding: 'utf8', timeout: 60_000, env: pyEnv });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/401|AccessError|authentication/i);
  });
});

describe('tx2-01: IPMI + SOL, one-shot boot staging, ser2net, faults', () => {
  it('boots a staged kernel once, then the known-good one again', async () => {
    const p = state().ports['tx2-01'];
    const dir = machineDir('tx2-01');
    const next = path.join(dir, 'boot', 'next');
    fs.mkdirSync(next, { recursive: true });
    fs.copyFileSync(path.join(dir, 'default', 'kernel'), path.join(next, 'kernel'));
    fs.copyFileSync(path.join(dir, 'default', 'initrd'), path.join(next, 'initrd'));
    fs.writeFileSync(path.join(next, 'cmdline'), 'console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 vlab.console=ttyAMA0 vlab.staged=yes\n');
    const t0 = Date.now();
    expect(ipmi(p.ipmi, ['chassis', 'power', 'on']).out).toMatch(/Up\/On/);
    let sol = new Sol(p.ipmi, 'tx2-01');
    try {
      const text = await sol.waitFor(/VLAB-READY/, 120_000);
      process.stdout.write(`tx2-01: power on -> VLAB-READY on SOL in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      expect(text).toMatch(/earlycon: pl11 at MMIO 0x0000000009000000/);
      expect(text).toMatch(/Kernel command line: .*vlab\.staged=yes/);
    } finally { await sol.close(); }
    expect(fs.existsSync(next)).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'boot', 'last', 'cmdline'), 'utf8')).toMatch(/vlab\.staged=yes/);
    expect((await sshExec(p.ssh, 'uname -m; cat /proc/cmdline')).trim()).toMatch(/^aarch64\n.*vlab\.staged=yes/);
    // power cycle: the known-good kernel again
    const t1 = Date.now();
    expect(ipmi(p.ipmi, ['chassis', 'power', 'cycle']).out).toMatch(/Cycle/);
    sol = new Sol(p.ipmi, 'tx2-01');
    try {
      const text = await sol.waitFor(/VLAB-READY/, 120_000);
      process.stdout.write(`tx2-01: power cycle -> VLAB-READY in ${((Date.now() - t1) / 1000).toFixed(1)} s\n`);
      expect(text).toMatch(/Kernel command line: .*vlab\.name=tx2-01/);
      expect(text).not.toMatch(/vlab\.staged=yes/);
    } finally { await sol.close(); }
    // ser2net (telnet) in front of the PCI UART (the known-good boot runs a shell there): type a command, read its output.
    const s2n = await new Promise<string>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: p.consoleServer });
      let buf = '';
      s.on('data', (d) => { buf += d.toString('latin1'); if (/ser2net-works-42/.test(buf.replace(/echo ser2net/, ''))) { s.destroy(); resolve(buf); } });
      s.on('error', reject);
      setTimeout(() => s.write('\r\necho ser2net-works-$((40+2))\r\n'), 1000);
      setTimeout(() => { s.destroy(); reject(new Error(`no answer through ser2net: ${JSON.stringify(buf.slice(-300))}`)); }, 20_000);
    });
    expect(s2n).toMatch(/ser2net-works-42/);
  });

  it('vlab.hang_early: the machine is on but prints nothing; status reports a crashed QEMU', async () => {
    const p = state().ports['tx2-01'];
    const dir = machineDir('tx2-01');
    expect(ipmi(p.ipmi, ['chassis', 'power', 'off']).out).toMatch(/Down\/Off/);
    await sleep(1500);
    const next = path.join(dir, 'boot', 'next');
    fs.mkdirSync(next, { recursive: true });
    fs.copyFileSync(path.join(dir, 'default', 'kernel'), path.join(next, 'kernel'));
    fs.writeFileSync(path.join(next, 'cmdline'), 'console=ttyAMA0 earlycon=pl011,0x9000000 vlab.hang_early\n');
    ipmi(p.ipmi, ['chassis', 'power', 'on']);
    const sol = new Sol(p.ipmi, 'tx2-01');
    try {
      await sol.waitFor(/SOL Session operational/, 30_000);
      await sleep(15_000);
      expect(sol.text).not.toMatch(/Booting Linux|Linux version/);
    } finally { await sol.close(); }
    expect(ipmi(p.ipmi, ['chassis', 'power', 'status']).out).toMatch(/is on/);
    // a QEMU that dies under the BMC is reported as crashed
    const qpid = Number(fs.readFileSync(path.join(dir, 'qemu.pid'), 'utf8'));
    process.kill(qpid, 'SIGKILL');
    await sleep(1500);
    const r = pfnlab(['vlab', 'status', '--json'], env);
    expect(r.code).toBe(1);
    const m = JSON.parse(r.stdout).machines.find((x: { name: string }) => x.name === 'tx2-01');
    expect(m.qemu).toBe('crashed');
    expect(m.power).toBe('off');
  });

  it('bmc-silent: ipmitool gets no answer until the fault is cleared', () => {
    const p = state().ports['p9-01'];
    expect(pfnlab(['vlab', 'fault', 'p9-01', 'bmc-silent'], env).code).toBe(0);
    const r = ipmi(p.ipmi, ['chassis', 'power', 'status'], true);
    expect(r.code).not.toBe(0);
    const s = JSON.parse(pfnlab(['vlab', 'status', '--json'], env).stdout);
    expect(s.machines.find((x: { name: string }) => x.name === 'p9-01')).toMatchObject({ bmc: 'silent', fault: 'bmc-silent' });
    expect(pfnlab(['vlab', 'fault', 'p9-01', 'clear'], env).code).toBe(0);
    expect(ipmi(p.ipmi, ['chassis', 'power', 'status']).out).toMatch(/is off/);
  });
});

describe('p9-01: IPMI power on, SOL, SSH, power off', () => {
  it('boots to the marker on SOL and answers SSH', async () => {
    const p = state().ports['p9-01'];
    const t0 = Date.now();
    expect(ipmi(p.ipmi, ['chassis', 'power', 'on']).out).toMatch(/Up\/On/);
    const sol = new Sol(p.ipmi, 'p9-01');
    try {
      const text = await sol.waitFor(/VLAB-READY/, 120_000);
      process.stdout.write(`p9-01: power on -> VLAB-READY on SOL in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      expect(text).toMatch(/Linux version 6\.1\..*/);
      expect(text).toMatch(/VLAB-MARKER init reached: ppc64le/);
    } finally { await sol.close(); }
    expect((await sshExec(p.ssh, 'uname -m')).trim()).toBe('ppc64le');
    expect(ipmi(p.ipmi, ['chassis', 'power', 'off']).out).toMatch(/Down\/Off/);
    await sleep(1500);
    expect(ipmi(p.ipmi, ['chassis', 'power', 'status']).out).toMatch(/is off/);
  });
});

describe('z15-lpar-01: HMC Web Services emulation', () => {
  const hmc = () => {
    const pw = fs.readFileSync(path.join(TEST_DIR, 'secrets', 'hmc-password'), 'utf8').trim();
    return new HmcClient(`https://127.0.0.1:${state().ports.lab.hmc}`, 'vlabhmc', pw);
  };

  it('refuses a bad logon and an expired session (re-logon works)', async () => {
    const bad = new HmcClient(`https://127.0.0.1:${state().ports.lab.hmc}`, 'vlabhmc', 'nope');
    await expect(bad.logon()).rejects.toThrow(/403/);
    const c = hmc();
    await c.logon();
    expect((await c.request('GET', '/api/cpcs?name=VLABZ15')).status).toBe(200);
    await sleep(Number(HMC_TIMEOUT) * 1000 + 1500);
    const r = await c.request('GET', '/api/cpcs?name=VLABZ15');
    expect(r.status).toBe(403);
    expect(r.body.reason).toBe(5);
    await c.logon();
    expect((await c.request('GET', '/api/cpcs?name=VLABZ15')).body.cpcs[0].name).toBe('VLABZ15');
    await c.logoff();
    expect((await c.request('GET', '/api/cpcs')).status).toBe(403);
  });

  it('activate, load (IPL), OS messages and send-os-cmd, SSH, no-poweroff fault, deactivate', async () => {
    const c = hmc();
    await c.logon();
    const uri = await c.lparUri('VLABZ15', 'VLABLP01');
    expect((await c.request('GET', uri)).body.status).toBe('not-activated');
    expect((await c.request('POST', `${uri}/operations/load`, { 'load-address': '0.0.0001' })).status).toBe(409);
    expect((await c.operation(uri, 'activate', {}))['job-status-code']).toBe(200);
    expect((await c.request('GET', uri)).body.status).toBe('not-operating');
    const t0 = Date.now();
    expect((await c.operation(uri, 'load', { 'load-address': '0.0.0001', 'load-parameter': '' }))['job-status-code']).toBe(200);
    const props = (await c.request('GET', uri)).body;
    expect(props).toMatchObject({ status: 'operating', 'last-used-load-address': '0.0.0001' });
    let text = '';
    for (let i = 0; i < 120 && !/VLAB-READY/.test(text); i++) {
      await sleep(1000);
      text = (await c.request('GET', `${uri}/operations/list-os-messages`)).body['os-messages'].map((m: { 'message-text': string }) => m['message-text']).join('\n');
    }
    process.stdout.write(`z15-lpar-01: HMC load -> VLAB-READY in OS messages in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    expect(text).toMatch(/Linux version 6\.1\.\d+.*s390x/);
    expect(text).toMatch(/VLAB-MARKER init reached: s390x/);
    expect((await c.request('POST', `${uri}/operations/send-os-cmd`, { 'operating-system-command-text': 'echo hmc-cmd-$((6*7))' })).status).toBe(204);
    let seen = false;
    for (let i = 0; i < 20 && !seen; i++) {
      await sleep(500);
      seen = (await c.request('GET', `${uri}/operations/list-os-messages`)).body['os-messages'].some((m: { 'message-text': string }) => m['message-text'] === 'hmc-cmd-42');
    }
    expect(seen).toBe(true);
    expect((await sshExec(state().ports['z15-lpar-01'].ssh, 'uname -m')).trim()).toBe('s390x');
    // a machine that refuses to power off
    expect(pfnlab(['vlab', 'fault', 'z15-lpar-01', 'no-poweroff'], env).code).toBe(0);
    expect((await c.request('POST', `${uri}/operations/deactivate`, {})).status).toBe(409);
    const failed = await c.operation(uri, 'deactivate', { force: true });
    expect(failed['job-status-code']).toBe(500);
    expect((await c.request('GET', uri)).body.status).toBe('operating');
    expect(pfnlab(['vlab', 'fault', 'z15-lpar-01', 'clear'], env).code).toBe(0);
    expect((await c.operation(uri, 'deactivate', { force: true }))['job-status-code']).toBe(200);
    expect((await c.request('GET', uri)).body.status).toBe('not-activated');
    await c.logoff();
  });
});

describe('vlab down', () => {
  it('leaves no process of the lab behind, also after the lab was left half-dead', () => {
    // simulate a crashed `vlab up`: forget the recorded processes, keep them running
    const st = JSON.parse(fs.readFileSync(path.join(TEST_DIR, 'state.json'), 'utf8'));
    const pids = Object.values(st.processes as Record<string, { pid: number }>).map((p) => p.pid);
    expect(pids.length).toBeGreaterThan(5);
    st.processes = {};
    fs.writeFileSync(path.join(TEST_DIR, 'state.json'), JSON.stringify(st));
    expect(labPids().length).toBeGreaterThan(5);
    const r = pfnlab(['vlab', 'down'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/leftover process/);
    expect(labPids()).toEqual([]);
  });
});
