import { runCommand, sleep, type CommandResult } from '../exec/run-command';
import { classifyIpmitoolFailure, parsePowerStatus } from './ipmitool-output';
import { PowerError, type PowerDriver, type PowerState } from './power-driver';

export interface IpmiTarget {
  host: string;
  port: number;
  username: string;
  /** For error messages only (which reference to fix), never the value. */
  passwordRef: string;
  cipherSuite: number;
}

export interface IpmiPowerOptions {
  /** Kill one ipmitool call after this long (its own retries included). */
  commandTimeoutMs?: number;
  /** ipmitool -N (seconds per try) and -R (tries): a silent BMC fails after about N*R plus backoff. */
  retryTimeoutSec?: number;
  retries?: number;
  /** How long on/off/cycle wait for `power status` to confirm the new state. */
  confirmTimeoutMs?: number;
  confirmIntervalMs?: number;
}

export type BootDevice = 'pxe' | 'disk' | 'safe' | 'diag' | 'cdrom' | 'bios' | 'none';

/**
 * Power through a BMC with ipmitool over IPMI 2.0 (lanplus). The password
 * reaches ipmitool through its environment (IPMI_PASSWORD with -E), never
 * argv, so it is not visible in `ps` or in any message. Every change is
 * confirmed by polling `power status`: a BMC that says "Down/Off" while the
 * machine keeps running (no-poweroff) ends in a PowerError, not a success.
 */
export class IpmiPowerDriver implements PowerDriver {
  readonly describe: string;
  private readonly o: Required<IpmiPowerOptions>;

  constructor(
    readonly target: IpmiTarget,
    private readonly password: () => string,
    options: IpmiPowerOptions = {},
  ) {
    this.describe = `ipmi ${target.host}:${target.port}`;
    this.o = {
      commandTimeoutMs: options.commandTimeoutMs ?? 20_000,
      retryTimeoutSec: options.retryTimeoutSec ?? 1,
      retries: options.retries ?? 2,
      confirmTimeoutMs: options.confirmTimeoutMs ?? 30_000,
      confirmIntervalMs: options.confirmIntervalMs ?? 1000,
    };
  }

  /** argv of `ipmitool -I lanplus ...` up to the command; used by the SOL console too. */
  baseArgv(): string[] {
    const t = this.target;
    return ['ipmitool', '-I', 'lanplus', '-C', String(t.cipherSuite), '-H', t.host, '-p', String(t.port), '-U', t.username, '-E',
      '-N', String(this.o.retryTimeoutSec), '-R', String(this.o.retries)];
  }

  /** The child environment that carries the password. */
  passwordEnv(): Record<string, string> {
    let pw: string;
    try {
      pw = this.password();
    } catch (e) {
      throw new PowerError(`${this.describe}: ${(e as Error).message}`, 'auth');
    }
    return { IPMI_PASSWORD: pw };
  }

  private async ipmitool(args: string[]): Promise<CommandResult> {
    // -v makes ipmitool say WHY a session failed (bad password vs. no answer).
    return runCommand([...this.baseArgv(), '-v', ...args], { timeoutMs: this.o.commandTimeoutMs, env: this.passwordEnv() });
  }

  private async checked(args: string[]): Promise<CommandResult> {
    const r = await this.ipmitool(args);
    if (r.code === 0) return r;
    const f = classifyIpmitoolFailure(r, {
      bmc: this.describe, operation: args.join(' '), passwordRef: this.target.passwordRef, username: this.target.username,
      cipherSuite: this.target.cipherSuite, timeoutMs: this.o.commandTimeoutMs,
    });
    throw new PowerError(f.message, f.failure);
  }

  async status(): Promise<PowerState> {
    const r = await this.checked(['chassis', 'power', 'status']);
    const s = parsePowerStatus(r.stdout);
    if (!s) throw new PowerError(`${this.describe}: chassis power status gave no state (${r.stdout.trim().slice(0, 200)})`, 'protocol');
    return s;
  }

  async on(): Promise<void> {
    await this.checked(['chassis', 'power', 'on']);
    await this.confirm('on', 'power on');
  }

  async off(): Promise<void> {
    await this.checked(['chassis', 'power', 'off']);
    await this.confirm('off', 'power off');
  }

  /**
   * `chassis power cycle` is refused by many BMCs when the machine is off,
   * so an off machine is simply powered on. A BMC that accepts the cycle
   * but leaves the machine off is caught by the confirmation.
   */
  async cycle(): Promise<void> {
    if ((await this.status()) === 'off') return this.on();
    await this.checked(['chassis', 'power', 'cycle']);
    await this.confirm('on', 'power cycle');
  }

  async reset(): Promise<void> {
    await this.checked(['chassis', 'power', 'reset']);
    await this.confirm('on', 'power reset');
  }

  /** One-shot boot device for the next boot (`chassis bootdev DEV options=...`); not every BMC implements it. */
  async bootdev(device: BootDevice, persistent = false): Promise<void> {
    await this.checked(['chassis', 'bootdev', device, ...(persistent ? ['options=persistent'] : [])]);
  }

  private async confirm(want: PowerState, operation: string): Promise<void> {
    const end = Date.now() + this.o.confirmTimeoutMs;
    let last: PowerState | undefined;
    for (;;) {
      last = await this.status();
      if (last === want) return;
      if (Date.now() >= end) break;
      await sleep(this.o.confirmIntervalMs);
    }
    throw new PowerError(
      `${this.describe}: ${operation} was accepted but the machine is still ${last} after ${Math.round(this.o.confirmTimeoutMs / 1000)} s; ` +
        'the BMC cannot control its power (check the machine and the BMC by hand)',
      'refused',
    );
  }
}
