import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { runCommand, sleep } from '../exec/run-command';
import type { IpmiPowerDriver } from '../power/ipmi-power-driver';
import { classifyIpmitoolFailure, isSolAlreadyInactive } from '../power/ipmitool-output';
import { ConsoleConnectionBase } from './console-connection-base';
import { ConsoleError, type ConsoleDriver, type ConsoleConnection } from './console-driver';
import { spawnInPty } from './pty-process';

export interface IpmiSolOptions {
  /** How long open() waits for "[SOL Session operational". */
  openTimeoutMs?: number;
}

const OPERATIONAL = /\[SOL Session operational\.[^\]]*\]\r?\n?/;
const TERMINATED = /\r?\n?\[terminated ipmitool\]\r?\n?/;

/**
 * IPMI Serial-over-LAN through `ipmitool sol activate` (in a pty: ipmitool
 * refuses to run SOL without a terminal), with the same BMC settings and
 * password handling as the IPMI power driver. A stale session (a crashed
 * agent's) is deactivated first, or the BMC would refuse a second one.
 */
export class IpmiSolConsole implements ConsoleDriver {
  readonly describe: string;
  private readonly openTimeoutMs: number;

  constructor(
    private readonly bmc: IpmiPowerDriver,
    private readonly instance = 1,
    o: IpmiSolOptions = {},
  ) {
    this.describe = `ipmi-sol ${bmc.target.host}:${bmc.target.port}${instance !== 1 ? ` instance ${instance}` : ''}`;
    this.openTimeoutMs = o.openTimeoutMs ?? 30_000;
  }

  private instanceArgs(): string[] {
    return this.instance !== 1 ? [`instance=${this.instance}`] : [];
  }

  private env(): Record<string, string> {
    try {
      return this.bmc.passwordEnv();
    } catch (e) {
      throw new ConsoleError(`${this.describe}: ${(e as Error).message}`);
    }
  }

  async open(): Promise<ConsoleConnection> {
    const env = this.env();
    // -v: the reason of a failed session (password vs. no answer) is only in the verbose lines.
    const de = await runCommand([...this.bmc.baseArgv(), '-v', 'sol', 'deactivate', ...this.instanceArgs()], { timeoutMs: 20_000, env });
    if (de.code !== 0 && !isSolAlreadyInactive(de.stdout + de.stderr)) {
      const f = classifyIpmitoolFailure(de, {
        bmc: `ipmi ${this.bmc.target.host}:${this.bmc.target.port}`, operation: 'sol deactivate', passwordRef: this.bmc.target.passwordRef,
        username: this.bmc.target.username, cipherSuite: this.bmc.target.cipherSuite, timeoutMs: 20_000,
      });
      // "refused" only means there was nothing to deactivate on some BMCs; everything else is fatal.
      if (f.failure !== 'refused') throw new ConsoleError(`${this.describe}: ${f.message}`);
    }
    const child = spawnInPty([...this.bmc.baseArgv(), 'sol', 'activate', ...this.instanceArgs()], env);
    return SolConnection.start(child, this.describe, this.openTimeoutMs);
  }
}

class SolConnection extends ConsoleConnectionBase {
  private lastWritten = 0x0d;
  private operational = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly describe: string,
  ) {
    super();
  }

  static start(child: ChildProcessWithoutNullStreams, describe: string, timeoutMs: number): Promise<SolConnection> {
    const c = new SolConnection(child, describe);
    return new Promise((resolve, reject) => {
      let pre = '';
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new ConsoleError(`${describe}: ${why}`));
      };
      const timer = setTimeout(() => fail(`no SOL session within ${Math.round(timeoutMs / 1000)} s (ipmitool said: ${JSON.stringify(pre.trim().slice(-300))})`), timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        if (c.operational) return c.forward(d);
        // latin1 keeps byte offsets equal to string offsets.
        pre += d.toString('latin1');
        const m = OPERATIONAL.exec(pre);
        if (!m) return;
        clearTimeout(timer);
        c.operational = true;
        c.forward(Buffer.from(pre.slice(m.index + m[0].length), 'latin1'));
        resolve(c);
      });
      child.stderr.on('data', (d: Buffer) => {
        if (!c.operational) pre += d.toString('latin1');
      });
      child.on('error', (e) => fail(`cannot start ipmitool under a pty: ${e.message}`));
      child.on('exit', (code, sig) => {
        if (!c.operational) {
          const why = /Unable to establish|No response/i.test(pre)
            ? 'the BMC did not open a SOL session; check the BMC credentials and that it answers'
            : `ipmitool exited (${code ?? sig}) before the SOL session was operational`;
          return fail(`${why} (ipmitool said: ${JSON.stringify(pre.trim().slice(-300))})`);
        }
        c.emitClose(`SOL session ended (ipmitool exited ${code ?? sig})`);
      });
    });
  }

  private forward(d: Buffer): void {
    // ipmitool's own notices are not console bytes.
    const s = d.toString('latin1');
    this.emitData(TERMINATED.test(s) ? Buffer.from(s.replace(TERMINATED, ''), 'latin1') : d);
  }

  write(data: string | Buffer): void {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (b.length === 0 || this.closed) return;
    this.lastWritten = b[b.length - 1];
    this.child.stdin.write(b);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // ipmitool's escape "~." only counts at the start of a line.
    const atLineStart = this.lastWritten === 0x0d || this.lastWritten === 0x0a;
    try {
      this.child.stdin.write(atLineStart ? '~.' : '\r~.');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 20 && this.child.exitCode === null && this.child.signalCode === null; i++) await sleep(100);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.emitClose('closed by pfnlab');
  }
}
