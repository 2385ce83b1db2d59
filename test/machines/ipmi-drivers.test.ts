import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsoleError, PowerError, SecretResolver, createDrivers } from '@pfnlab/machines';
import { Capture, DriverTestLab, secs } from './vlab-fixture';

/*
 * The IPMI power driver, the SOL console, netboot staging, the telnet
 * console (ser2net) and the Redfish driver against the virtual lab's real
 * ipmi_sim, ser2net and Redfish service, created by createDrivers() from
 * the inventory `pfnlab vlab inventory --json` prints. tx2-01 (arm64)
 * boots fastest under TCG, so the boot tests use it.
 */

jest.setTimeout(180_000);
const lab = new DriverTestLab('/tmp/pfnlab-vlab-drivers', 19100);
const log = (s: string) => process.stdout.write(`${s}\n`);

beforeAll(() => lab.up(), 900_000);
afterAll(() => lab.down());

const expectPowerError = async (p: Promise<unknown>, failures: string[]): Promise<PowerError> => {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(PowerError);
  expect(failures).toContain((e as PowerError).failure);
  return e as PowerError;
};

describe('tx2-01: IPMI power, SOL from the first byte, one-shot netboot staging, ser2net telnet', () => {
  it('captures earlycon and VLAB-READY on SOL opened before power-on; boots a staged kernel once; cycles back to the default', async () => {
    const m = lab.machine('tx2-01');
    const d = lab.drivers(m);
    expect([d.power.describe, d.console.describe, d.boot.describe]).toEqual([
      `ipmi 127.0.0.1:${(m.power as { port: number }).port}`, `ipmi-sol 127.0.0.1:${(m.power as { port: number }).port}`, `netboot ${m.boot.stagingDir}`,
    ]);
    expect(await d.power.status()).toBe('off');

    // 1. console first, then power on: the earliest lines are there.
    let sol = new Capture(await d.console.open());
    let t0 = Date.now();
    await d.power.on();
    expect(await d.power.status()).toBe('on');
    let text = await sol.waitFor(/VLAB-READY/, 90_000);
    log(`tx2-01: power on -> VLAB-READY on SOL in ${secs(t0)} s`);
    expect(text).not.toMatch(/SOL Session operational/);
    expect(text).toMatch(/Booting Linux on physical CPU/);
    expect(text).toMatch(/earlycon: pl11 at MMIO 0x0000000009000000/);
    expect(text.indexOf('earlycon: pl11')).toBeLessThan(text.indexOf('VLAB-MARKER init reached: aarch64'));
    await sol.conn.close();

    // 2. stage the known-good kernel with an extra parameter; a cycle boots it once.
    const def = lab.defaultBoot('tx2-01');
    const jobParams = def.cmdline.filter((p) => !/^(earlycon|console)=/.test(p)).concat('pfnlab.run=abc123');
    await d.boot.stage({ kernelPath: def.kernel, initrdPath: def.initrd, cmdline: jobParams });
    const staging = m.boot.stagingDir!;
    expect(fs.readdirSync(staging).sort()).toEqual(['cmdline', 'initrd', 'kernel']);
    expect(fs.readFileSync(path.join(staging, 'cmdline'), 'utf8')).toBe(
      ['earlycon=pl011,0x9000000', 'console=ttyAMA0', ...jobParams].join(' ') + '\n');
    expect(fs.readdirSync(path.dirname(staging)).filter((f) => f.includes('staging-'))).toEqual([]);
    sol = new Capture(await d.console.open());
    t0 = Date.now();
    await d.power.cycle();
    text = await sol.waitFor(/VLAB-READY/, 90_000);
    log(`tx2-01: staged kernel, power cycle -> VLAB-READY in ${secs(t0)} s`);
    expect(text).toMatch(/Kernel command line: .*pfnlab\.run=abc123/);
    expect(text).toMatch(/earlycon: pl11/);
    expect(fs.existsSync(staging)).toBe(false); // consumed: one-shot
    await sol.conn.close();

    // 3. the next cycle brings back the known-good kernel.
    sol = new Capture(await d.console.open());
    t0 = Date.now();
    await d.power.cycle();
    text = await sol.waitFor(/VLAB-READY/, 90_000);
    log(`tx2-01: power cycle -> known-good VLAB-READY in ${secs(t0)} s`);
    expect(text).toMatch(/Kernel command line: .*vlab\.name=tx2-01/);
    expect(text).not.toMatch(/pfnlab\.run=abc123/);
    // typing into SOL reaches the machine's shell
    sol.conn.write('echo sol-$((40+2))\r');
    await sol.waitFor(/sol-42/, 15_000);
    await sol.conn.close();

    // 4. the telnet console through ser2net (inventory --console-servers) on the second UART.
    const viaSer2net = lab.drivers(lab.machine('tx2-01', ['--console-servers']));
    expect(viaSer2net.console.describe).toMatch(/^telnet 127\.0\.0\.1:\d+$/);
    const tel = new Capture(await viaSer2net.console.open());
    tel.conn.write('\recho telnet-$((40+2))\r');
    await tel.waitFor(/telnet-42/, 20_000);
    expect(tel.text).not.toMatch(/\xff/); // IAC negotiation stripped
    await tel.conn.close();
    expect(tel.closedWith).toBe('closed by pfnlab');

    // 5. off, confirmed.
    await d.power.off();
    expect(await d.power.status()).toBe('off');
    // unstage is idempotent and removes an unconsumed staging
    await d.boot.stage({ kernelPath: def.kernel, cmdline: ['pfnlab.run=unused'] });
    await d.boot.unstage();
    await d.boot.unstage();
    expect(fs.existsSync(staging)).toBe(false);
  });

  it('refuses to stage a kernel that does not exist or a parameter with spaces', async () => {
    const d = lab.drivers(lab.machine('tx2-01'));
    await expect(d.boot.stage({ kernelPath: '/nonexistent/Image', cmdline: [] })).rejects.toThrow(/kernel image \/nonexistent\/Image does not exist/);
    const def = lab.defaultBoot('tx2-01');
    await expect(d.boot.stage({ kernelPath: def.kernel, cmdline: ['a=b c'] })).rejects.toThrow(/whitespace/);
    expect(fs.existsSync(lab.machine('tx2-01').boot.stagingDir!)).toBe(false);
  });
});

describe('IPMI faults', () => {
  it('a wrong BMC password is PowerError auth naming the reference, never the value (power and SOL)', async () => {
    const m = lab.machine('tx2-01');
    const wrong = { ...m, power: { ...m.power, passwordRef: 'env:PFNLAB_TEST_BMC_PW' } } as typeof m;
    const d = createDrivers(wrong, new SecretResolver({ PFNLAB_TEST_BMC_PW: 'not-the-password' }));
    const t0 = Date.now();
    const e = await expectPowerError(d.power.status(), ['auth']);
    expect(e.message).toMatch(/check the BMC credentials \(passwordRef env:PFNLAB_TEST_BMC_PW/);
    expect(e.message).not.toMatch(/not-the-password/);
    expect(Date.now() - t0).toBeLessThan(5000);
    const ce = await d.console.open().then(() => undefined, (x: unknown) => x);
    expect(ce).toBeInstanceOf(ConsoleError);
    expect((ce as Error).message).toMatch(/check the BMC credentials/);
    // a missing secret is an auth problem too, named by its reference
    const none = createDrivers(wrong, new SecretResolver({}));
    expect((await expectPowerError(none.power.on(), ['auth'])).message).toMatch(/env:PFNLAB_TEST_BMC_PW: environment variable PFNLAB_TEST_BMC_PW is not set/);
  });

  it('bmc-silent: PowerError unreachable/timeout within the driver timeout', async () => {
    const d = lab.drivers(lab.machine('p9-01'), { ipmi: { commandTimeoutMs: 15_000 } });
    lab.fault('p9-01', 'bmc-silent');
    try {
      const t0 = Date.now();
      const e = await expectPowerError(d.power.status(), ['unreachable', 'timeout']);
      const took = Date.now() - t0;
      log(`p9-01 bmc-silent: ${e.failure} after ${(took / 1000).toFixed(1)} s: ${e.message}`);
      expect(took).toBeLessThan(16_000);
      expect(e.message).toMatch(/does not answer|no answer/);
    } finally {
      lab.fault('p9-01', 'clear');
    }
    expect(await d.power.status()).toBe('off');
  });

});

describe('x86-01: Redfish power and the conserver console (inventory --redfish --console-servers)', () => {
  it('status, on and off through ComputerSystem.Reset with the certificate pinned, the boot seen through conserver; a wrong pin is refused', async () => {
    const m = lab.machine('x86-01', ['--redfish', '--console-servers']);
    expect([m.power.driver, m.console.driver]).toEqual(['redfish', 'conserver']);
    const d = lab.drivers(m);
    expect(d.console.describe).toMatch(/^conserver 127\.0\.0\.1:\d+ x86-01$/);
    expect(await d.power.status()).toBe('off');
    const cs = new Capture(await d.console.open());
    const t0 = Date.now();
    await d.power.on();
    expect(await d.power.status()).toBe('on');
    // the kernel prints to ttyS1 too; /init runs a second shell there
    await cs.waitFor(/Linux version 6\.1\./, 60_000);
    let answered = false;
    for (let i = 0; i < 40 && !answered; i++) {
      cs.conn.write('echo cs-$((40+2))\r');
      answered = await cs.waitFor(/cs-42/, 2000).then(() => true, () => false);
    }
    expect(answered).toBe(true);
    log(`x86-01: Redfish On -> shell on ttyS1 through conserver in ${secs(t0)} s`);
    await cs.conn.close();
    await d.power.off();
    expect(await d.power.status()).toBe('off');
    const badPin = { ...m, power: { ...m.power, certSha256: '00'.repeat(32) } } as typeof m;
    const e = await expectPowerError(lab.drivers(badPin).power.status(), ['auth']);
    expect(e.message).toMatch(/no credentials were sent/);
    const badPw = { ...m, power: { ...m.power, passwordRef: 'env:PFNLAB_TEST_RF_PW' } } as typeof m;
    const e2 = await expectPowerError(createDrivers(badPw, new SecretResolver({ PFNLAB_TEST_RF_PW: 'nope' })).power.status(), ['auth']);
    expect(e2.message).toMatch(/HTTP 401; check the BMC credentials \(passwordRef env:PFNLAB_TEST_RF_PW/);
  });

  it('a Redfish 5xx (the service is up, the BMC behind it is not) is PowerError refused with the status and the service\'s message', async () => {
    const d = lab.drivers(lab.machine('x86-01', ['--redfish', '--console-servers']), { redfish: { requestTimeoutMs: 60_000 } });
    // Only the IPMI controller behind the Redfish service hangs (the bmc-silent fault would stop the service too).
    const bmcPid: number = JSON.parse(fs.readFileSync(path.join(lab.dir, 'state.json'), 'utf8')).processes['bmc:x86-01'].pid;
    process.kill(bmcPid, 'SIGSTOP');
    try {
      const e = await expectPowerError(d.power.on(), ['refused']);
      expect(e.message).toMatch(/HTTP 503/);
      expect(e.message).toMatch(/the BMC did not answer/);
    } finally {
      process.kill(bmcPid, 'SIGCONT');
    }
    expect(await d.power.status()).toBe('off');
  });
});

describe('IPMI faults that leave the BMC busy (last: ipmi_sim SIGKILLs the machine only after its 60 s kill_wait)', () => {
  it('no-poweroff: `power off` is accepted by the BMC but the machine stays on -> PowerError, not success', async () => {
    const d = lab.drivers(lab.machine('tx2-01'), { ipmi: { confirmTimeoutMs: 6000 } });
    await d.power.on();
    lab.fault('tx2-01', 'no-poweroff');
    try {
      const e = await expectPowerError(d.power.off(), ['refused']);
      expect(e.message).toMatch(/still on after 6 s/);
    } finally {
      lab.fault('tx2-01', 'clear');
    }
  });
});
