import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InventoryMachine } from '@pfnlab/contracts';
import { HmcClient } from '../../apps/vlab/src/hmc-client';
import { sleep, wallMs } from './bench-common';

/*
 * A vlab machine driven by hand, the way an engineer (or test/vlab) does it,
 * without pfnlab: ipmitool for power and SOL, or the vlab's HMC client for
 * the LPAR (activate + load, OS messages). The baseline of the controller
 * overhead benchmark.
 */

export interface HandConsole {
  /** wallMs() at which `marker` was first seen on the console. */
  waitFor(marker: string, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export interface ByHand {
  /** Off, and its QEMU gone. */
  off(): Promise<void>;
  /** Console reader, opened before power-on as an engineer would. */
  console(): Promise<HandConsole>;
  /** The power-on request, until the interface acknowledged it. */
  on(): Promise<void>;
  close(): Promise<void>;
}

const secretFile = (ref: string) => {
  if (!ref.startsWith('file:')) throw new Error(`expected a file: secret reference, got ${ref}`);
  return ref.slice(5);
};

/** Puts kernel, initrd and cmdline in the machine's one-shot boot/next/ (as deploy/vlab/start-machine.sh reads it). */
export function stageByHand(machineDir: string, kernel: string, initrd: string, cmdline: string): void {
  const tmp = join(machineDir, 'boot', '.next.bench');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  copyFileSync(kernel, join(tmp, 'kernel'));
  copyFileSync(initrd, join(tmp, 'initrd'));
  writeFileSync(join(tmp, 'cmdline'), cmdline + '\n');
  rmSync(join(machineDir, 'boot', 'next'), { recursive: true, force: true });
  renameSync(tmp, join(machineDir, 'boot', 'next'));
}

function run(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(argv[0], argv.slice(1), { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${argv.slice(0, 1).concat(argv.slice(-3)).join(' ')}: ${stderr || err.message}`)) : resolve(stdout + stderr))),
  );
}

async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

class IpmiByHand implements ByHand {
  private readonly base: string[];
  constructor(
    m: Extract<InventoryMachine['power'], { driver: 'ipmi' }>,
    private readonly dir: string,
  ) {
    this.base = ['ipmitool', '-I', 'lanplus', '-C', String(m.cipherSuite ?? 3), '-H', m.host, '-p', String(m.port), '-U', m.username, '-f', secretFile(m.passwordRef)];
  }

  private isOn = async () => /is on/.test(await run([...this.base, 'chassis', 'power', 'status']));

  async off(): Promise<void> {
    if (await this.isOn()) await run([...this.base, 'chassis', 'power', 'off']);
    await until('chassis off', async () => !(await this.isOn()) && !existsSync(join(this.dir, 'qemu.pid')));
  }

  async console(): Promise<HandConsole> {
    await run([...this.base, 'sol', 'deactivate']).catch(() => undefined);
    // ipmitool wants a terminal for SOL: python3's pty module gives it one (as test/vlab does).
    const p: ChildProcessWithoutNullStreams = spawn('/usr/bin/python3', ['-c', 'import pty,sys; pty.spawn(sys.argv[1:])', ...this.base, 'sol', 'activate']);
    return streamConsole(p, async () => {
      try {
        p.stdin.write('\r~.');
      } catch {
        /* gone */
      }
      await sleep(300);
      p.kill('SIGKILL');
    });
  }

  async on(): Promise<void> {
    await run([...this.base, 'chassis', 'power', 'on']);
  }

  async close(): Promise<void> {}
}

function streamConsole(p: ChildProcessWithoutNullStreams, close: () => Promise<void>): HandConsole {
  let text = '';
  const seen = new Map<string, number>();
  const markers = new Set<string>();
  const onData = (d: Buffer) => {
    text = (text + d.toString('latin1')).slice(-8192);
    for (const m of markers) if (!seen.has(m) && text.includes(m)) seen.set(m, wallMs());
  };
  p.stdout.on('data', onData);
  p.stderr.on('data', onData);
  return {
    async waitFor(marker, timeoutMs) {
      markers.add(marker);
      await until(`${marker} on SOL`, () => seen.has(marker), timeoutMs);
      return seen.get(marker)!;
    },
    close,
  };
}

class HmcByHand implements ByHand {
  private readonly hmc: HmcClient;
  private uri = '';
  constructor(private readonly m: Extract<InventoryMachine['power'], { driver: 'hmc' }>) {
    this.hmc = new HmcClient(m.baseUrl, m.username, readFileSync(secretFile(m.passwordRef), 'utf8').trim());
  }

  private async status(): Promise<string> {
    if (!this.uri) {
      await this.hmc.logon();
      this.uri = await this.hmc.lparUri(this.m.cpc, this.m.lpar);
    }
    return (await this.hmc.request('GET', this.uri)).body.status;
  }

  async off(): Promise<void> {
    if ((await this.status()) !== 'not-activated') await this.hmc.operation(this.uri, 'deactivate', { force: true });
    await until('LPAR deactivated', async () => (await this.status()) === 'not-activated');
  }

  async console(): Promise<HandConsole> {
    await this.status();
    const msgs = async (from: number) =>
      ((await this.hmc.request('GET', `${this.uri}/operations/list-os-messages?begin-sequence-number=${from}`)).body['os-messages'] ?? []) as Array<{ 'sequence-number': number; 'message-text': string }>;
    let next = (await msgs(0)).reduce((a, m) => Math.max(a, m['sequence-number'] + 1), 0);
    let stopped = false;
    const seen = new Map<string, number>();
    const markers = new Set<string>();
    // Polled every 100 ms: quicker than pfnlab's HMC console (500 ms), so its delay is pfnlab's overhead.
    const loop = (async () => {
      while (!stopped) {
        for (const m of await msgs(next).catch(() => [])) {
          next = Math.max(next, m['sequence-number'] + 1);
          for (const k of markers) if (!seen.has(k) && m['message-text'].includes(k)) seen.set(k, wallMs());
        }
        await sleep(100);
      }
    })();
    return {
      async waitFor(marker, timeoutMs) {
        markers.add(marker);
        await until(`${marker} in the OS messages`, () => seen.has(marker), timeoutMs);
        return seen.get(marker)!;
      },
      async close() {
        stopped = true;
        await loop;
      },
    };
  }

  async on(): Promise<void> {
    if ((await this.status()) === 'not-activated') await this.hmc.operation(this.uri, 'activate', {});
    await this.hmc.operation(this.uri, 'load', { 'load-address': this.m.loadAddress, 'load-parameter': this.m.loadParameter });
  }

  async close(): Promise<void> {
    await this.hmc.logoff().catch(() => undefined);
  }
}

export function byHand(m: InventoryMachine, machineDir: string): ByHand {
  if (m.power.driver === 'ipmi') return new IpmiByHand(m.power, machineDir);
  if (m.power.driver === 'hmc') return new HmcByHand(m.power);
  throw new Error(`${m.name}: no by-hand driver for ${m.power.driver}`);
}
