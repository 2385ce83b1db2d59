import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from 'ssh2';

/* Helpers for the vlab integration tests: real interfaces only (ipmitool, SOL in a pty, ssh2, QMP). */

export const REPO = path.resolve(__dirname, '..', '..');
export const TEST_DIR = process.env.PFNLAB_VLAB_TEST_DIR ?? '/tmp/pfnlab-vlab-test';
export const TEST_PORT_BASE = '18100';

export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PFNLAB_VLAB_DIR: TEST_DIR, PFNLAB_VLAB_PORT_BASE: TEST_PORT_BASE, ...extra };
}

/** Runs the real CLI (bin/pfnlab) against the test lab. */
export function pfnlab(args: string[], env: NodeJS.ProcessEnv = testEnv()): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'pfnlab'), ...args], { env, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export function ipmi(port: number, args: string[], quick = false): { code: number; out: string } {
  const r = spawnSync('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(port), '-U', 'admin',
    '-f', path.join(TEST_DIR, 'secrets', 'bmc-password'), ...(quick ? ['-N', '1', '-R', '1'] : []), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? 1, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

/** `ipmitool sol activate` in a pty (python3's pty module); collects what it prints. */
export class Sol {
  private readonly p: ChildProcessWithoutNullStreams;
  text = '';
  /** machine: whose power.log and qemu.log to quote when the wait fails (a QEMU that did not start is silent on SOL). */
  constructor(port: number, private readonly machine?: string) {
    this.p = spawn('/usr/bin/python3', ['-c', 'import pty,sys; pty.spawn(sys.argv[1:])', 'ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1',
      '-p', String(port), '-U', 'admin', '-f', path.join(TEST_DIR, 'secrets', 'bmc-password'), 'sol', 'activate']);
    this.p.stdout.on('data', (d) => (this.text += d.toString('utf8')));
    this.p.stderr.on('data', (d) => (this.text += d.toString('utf8')));
  }
  send(s: string): void { this.p.stdin.write(s); }
  async waitFor(re: RegExp, timeoutMs: number): Promise<string> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (re.test(this.text)) return this.text;
      await sleep(200);
    }
    const logs = this.machine ? ['power.log', 'qemu.log'].map((f) => `\n${f}: ${tailOf(path.join(machineDir(this.machine!), f))}`).join('') : '';
    throw new Error(`${re} not seen on SOL within ${timeoutMs} ms; last output: ${JSON.stringify(this.text.slice(-600))}${logs}`);
  }
  async close(): Promise<void> {
    try { this.p.stdin.write('\r~.'); } catch { /* gone */ }
    await sleep(500);
    this.p.kill('SIGKILL');
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function sshExec(port: number, cmd: string, timeoutMs = 90_000): Promise<string> {
  const key = fs.readFileSync(path.join(TEST_DIR, 'secrets', 'id_ed25519'));
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      return await new Promise<string>((resolve, reject) => {
        const c = new Client();
        c.on('ready', () => c.exec(cmd, (err, stream) => {
          if (err) { c.end(); return reject(err); }
          let out = '';
          stream.on('data', (d: Buffer) => (out += d)).on('close', () => { c.end(); resolve(out); });
          stream.stderr.on('data', (d: Buffer) => (out += d));
        }));
        c.on('error', reject);
        c.connect({ host: '127.0.0.1', port, username: 'root', privateKey: key, readyTimeout: 20_000 });
      });
    } catch (e) {
      last = e;
      await sleep(1000);
    }
  }
  throw new Error(`ssh to 127.0.0.1:${port} failed: ${(last as Error)?.message}`);
}

/** One QMP command over the machine's unix socket. */
export function qmp(socketPath: string, execute: string, args?: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    let buf = '';
    let step = 0;
    s.on('data', (d) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        const msg = JSON.parse(line);
        if (msg.event) continue;
        if (step === 0) { step = 1; s.write(JSON.stringify({ execute: 'qmp_capabilities' }) + '\n'); }
        else if (step === 1) { step = 2; s.write(JSON.stringify({ execute, ...(args ? { arguments: args } : {}) }) + '\n'); }
        else { s.end(); resolve(msg); }
      }
    });
    s.on('error', reject);
    setTimeout(() => { s.destroy(); reject(new Error('QMP timeout')); }, 15_000);
  });
}

function tailOf(file: string, bytes = 800): string {
  try { return JSON.stringify(fs.readFileSync(file, 'utf8').slice(-bytes)); } catch { return '(none)'; }
}

export function machineDir(name: string): string {
  return path.join(TEST_DIR, 'machines', name);
}

export function labPids(): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8');
      if (cmd.includes(TEST_DIR + '/')) out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}
