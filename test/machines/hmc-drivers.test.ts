import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { PowerError, SecretResolver, createDrivers } from '@pfnlab/machines';
import { Capture, DriverTestLab, secs, sleep } from './vlab-fixture';

/*
 * The HMC power driver and the HMC OS-messages console against the vlab's
 * HMC Web Services emulation (z15-lpar-01), created by createDrivers() from
 * the generated inventory. API sessions expire after 4 s of idle time here
 * (PFNLAB_VLAB_HMC_SESSION_TIMEOUT, read by `vlab up` when it starts the
 * emulator), so re-logon is exercised without waiting an hour.
 */

jest.setTimeout(120_000);
const SESSION_TIMEOUT_S = 4;
const lab = new DriverTestLab('/tmp/pfnlab-vlab-drivers-hmc', 19200, { PFNLAB_VLAB_HMC_SESSION_TIMEOUT: String(SESSION_TIMEOUT_S) });
const log = (s: string) => process.stdout.write(`${s}\n`);

beforeAll(() => lab.up(), 900_000);
afterAll(() => lab.down());

const failureOf = async (p: Promise<unknown>): Promise<PowerError> => {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(PowerError);
  return e as PowerError;
};

describe('z15-lpar-01 through the HMC Web Services API', () => {
  it('on = activate + load with the OS-messages console capturing the boot; status; re-logon after session expiry; off', async () => {
    const notes: string[] = [];
    const m = lab.machine('z15-lpar-01');
    const d = lab.drivers(m, { log: (s) => notes.push(s), hmcConsole: { pollIntervalMs: 250 } });
    expect(d.power.describe).toMatch(/^hmc 127\.0\.0\.1:19\d+ VLABZ15\/VLABLP01$/);
    expect(await d.power.status()).toBe('off');
    const con = new Capture(await d.console.open());
    const t0 = Date.now();
    await d.power.on();
    expect(await d.power.status()).toBe('on');
    const text = await con.waitFor(/VLAB-READY/, 60_000);
    log(`z15-lpar-01: HMC activate + load -> VLAB-READY in the OS messages in ${secs(t0)} s`);
    expect(text).toMatch(/Linux version 6\.1\.\d+.*s390x/);
    expect(text).toMatch(/Kernel command line: /);
    expect(text).toMatch(/\nVLAB-MARKER init reached: s390x /);
    // console input: one send-os-cmd per line
    con.conn.write('echo hmc-$((6*7))\n');
    await con.waitFor(/^hmc-42$/m, 15_000);
    await con.conn.close();
    expect(con.closedWith).toBe('closed by pfnlab');

    // idle past the session timeout: the next call logs on again by itself
    await sleep(SESSION_TIMEOUT_S * 1000 + 1500);
    expect(await d.power.status()).toBe('on');
    expect(notes.some((n) => /API session expired; logging on again/.test(n))).toBe(true);

    // cycle = forced re-IPL of the activated LPAR: boots a staged kernel once
    const def = lab.defaultBoot('z15-lpar-01');
    await d.boot.stage({ kernelPath: def.kernel, initrdPath: def.initrd, cmdline: [...def.cmdline.filter((p) => !p.startsWith('console=')), 'pfnlab.run=z15run'] });
    const con2 = new Capture(await d.console.open());
    await d.power.cycle();
    await con2.waitFor(/Kernel command line: .*pfnlab\.run=z15run/, 60_000);
    await con2.waitFor(/VLAB-READY/, 60_000);
    await con2.conn.close();

    await d.power.off();
    expect(await d.power.status()).toBe('off');
    expect(notes.join('\n')).not.toContain(fs.readFileSync((m.power as { passwordRef: string }).passwordRef.slice(5), 'utf8').trim());
    await d.power.close?.();
  });

  it('a failing HMC job (no-poweroff: the forced load cannot stop the LPAR) is PowerError refused with the job message', async () => {
    const d = lab.drivers(lab.machine('z15-lpar-01'));
    await d.power.on();
    lab.fault('z15-lpar-01', 'no-poweroff');
    try {
      const e = await failureOf(d.power.cycle());
      expect(e.failure).toBe('refused');
      expect(e.message).toMatch(/load failed: job-status-code 500 reason 263: the logical partition did not stop/);
    } finally {
      lab.fault('z15-lpar-01', 'clear');
    }
    await d.power.off();
    expect(await d.power.status()).toBe('off');
  });

  it('a wrong password is PowerError auth naming the reference; a missing LPAR names the inventory field', async () => {
    const m = lab.machine('z15-lpar-01');
    const bad = { ...m, power: { ...m.power, passwordRef: 'env:PFNLAB_TEST_HMC_PW' } } as typeof m;
    const e = await failureOf(createDrivers(bad, new SecretResolver({ PFNLAB_TEST_HMC_PW: 'wrong-hmc-pw' })).power.status());
    expect(e.failure).toBe('auth');
    expect(e.message).toMatch(/check the HMC credentials \(passwordRef env:PFNLAB_TEST_HMC_PW\)/);
    expect(e.message).not.toMatch(/wrong-hmc-pw/);
    const noLpar = { ...m, power: { ...m.power, lpar: 'NOSUCH' } } as typeof m;
    expect((await failureOf(lab.drivers(noLpar).power.status())).message).toMatch(/no LPAR named NOSUCH; check power\.lpar/);
  });

  it('a wrong certSha256 is refused before any credential is sent', async () => {
    const m = lab.machine('z15-lpar-01');
    // against the emulator itself
    const wrongPin = { ...m, power: { ...m.power, certSha256: 'AB:'.repeat(31) + 'AB' } } as typeof m;
    const e = await failureOf(lab.drivers(wrongPin).power.on());
    expect(e.message).toMatch(/presented a certificate with SHA-256 .* but the inventory pins AB:AB.*no credentials were sent/);
    // against a server that records what reaches it: nothing with the wrong pin, the logon with the right one
    const seen: string[] = [];
    const srv = https.createServer(
      { cert: fs.readFileSync(path.join(lab.dir, 'secrets', 'tls.crt')), key: fs.readFileSync(path.join(lab.dir, 'secrets', 'tls.key')) },
      (req, res) => {
        seen.push(`${req.method} ${req.url}`);
        res.writeHead(403, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ 'http-status': 403, reason: 0, message: 'recorded' }));
      },
    );
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (srv.address() as { port: number }).port;
      const at = (pin: string) => ({ ...m, power: { ...m.power, baseUrl: `https://127.0.0.1:${port}`, certSha256: pin } }) as typeof m;
      await failureOf(lab.drivers(at('AB:'.repeat(31) + 'AB')).power.status());
      expect(seen).toEqual([]);
      const right = (m.power as { certSha256?: string }).certSha256!;
      expect((await failureOf(lab.drivers(at(right)).power.status())).failure).toBe('auth');
      expect(seen).toEqual(['POST /api/sessions']);
    } finally {
      srv.close();
    }
  });

  it('bmc-silent (HMC stopped): PowerError timeout within the request timeout', async () => {
    const d = lab.drivers(lab.machine('z15-lpar-01'), { hmc: { requestTimeoutMs: 3000 } });
    lab.fault('z15-lpar-01', 'bmc-silent');
    try {
      const t0 = Date.now();
      const e = await failureOf(d.power.status());
      expect(['timeout', 'unreachable']).toContain(e.failure);
      expect(Date.now() - t0).toBeLessThan(4500);
    } finally {
      lab.fault('z15-lpar-01', 'clear');
    }
    expect(await d.power.status()).toBe('off');
  });
});
