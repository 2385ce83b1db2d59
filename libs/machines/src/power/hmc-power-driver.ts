import { HmcApiSession, HmcError } from '../hmc/hmc-api-session';
import { PowerError, type PowerDriver, type PowerState } from './power-driver';

export interface HmcLoadDevice {
  /** Known-good IPL device, e.g. "0.0.1234". */
  loadAddress: string;
  loadParameter: string;
}

export interface HmcPowerOptions {
  /** Bound of one activate/load/deactivate job (real HMCs take minutes to activate). */
  jobTimeoutMs?: number;
}

/**
 * Power of a z LPAR through the HMC Web Services API.
 *
 *   status  operating → on; not-activated / not-operating → off (no OS
 *           running: an activated but unloaded LPAR is as good as off for a
 *           run); anything else (exceptions, ...) → unknown.
 *   on      activate if not activated, then load (IPL) the known-good device
 *           from the inventory; no-op if already operating.
 *   off     deactivate (force) unless not activated.
 *   cycle   a forced load of the activated LPAR (re-IPL: the z equivalent of
 *           a power cycle, which keeps the activation and takes seconds
 *           instead of the minutes of deactivate + activate); activate first
 *           when it is not activated. Like every load, it consumes one-shot
 *           staging, so a hung test kernel is recovered by it.
 *   reset   a forced load; refused (PowerError) on a not-activated LPAR.
 *
 * A job that fails (e.g. the LPAR did not stop) is PowerError 'refused'
 * with the HMC's message. `close()` logs off.
 */
export class HmcPowerDriver implements PowerDriver {
  readonly describe: string;
  private readonly jobTimeoutMs: number;

  constructor(
    readonly session: HmcApiSession,
    private readonly device: HmcLoadDevice,
    o: HmcPowerOptions = {},
  ) {
    this.describe = session.describe;
    this.jobTimeoutMs = o.jobTimeoutMs ?? 300_000;
  }

  async status(): Promise<PowerState> {
    const s = await this.guard(() => this.session.lparStatus());
    return s === 'operating' ? 'on' : s === 'not-activated' || s === 'not-operating' ? 'off' : 'unknown';
  }

  async on(): Promise<void> {
    await this.guard(async () => {
      const s = await this.session.lparStatus();
      if (s === 'operating') return;
      if (s === 'not-activated') await this.session.runJob('activate', {}, this.jobTimeoutMs);
      await this.load(false);
    });
    await this.expect('operating', 'on');
  }

  async off(): Promise<void> {
    await this.guard(async () => {
      if ((await this.session.lparStatus()) === 'not-activated') return;
      await this.session.runJob('deactivate', { force: true }, this.jobTimeoutMs);
    });
    await this.expect('not-activated', 'off');
  }

  async cycle(): Promise<void> {
    await this.guard(async () => {
      const s = await this.session.lparStatus();
      if (s === 'not-activated') await this.session.runJob('activate', {}, this.jobTimeoutMs);
      await this.load(true);
    });
    await this.expect('operating', 'cycle');
  }

  async reset(): Promise<void> {
    await this.guard(async () => {
      if ((await this.session.lparStatus()) === 'not-activated') {
        throw new HmcError(`${this.describe}: reset (load) of a not-activated LPAR; power it on first`, 'refused');
      }
      await this.load(true);
    });
    await this.expect('operating', 'reset');
  }

  async close(): Promise<void> {
    await this.session.logoff();
  }

  private async load(force: boolean): Promise<void> {
    await this.session.runJob(
      'load',
      { 'load-address': this.device.loadAddress, 'load-parameter': this.device.loadParameter, ...(force ? { force: true } : {}) },
      this.jobTimeoutMs,
    );
  }

  private async expect(want: string, op: string): Promise<void> {
    const s = await this.guard(() => this.session.lparStatus());
    if (s !== want) throw new PowerError(`${this.describe}: ${op} completed but the LPAR is ${s}, not ${want}`, 'refused');
  }

  private async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof HmcError) throw new PowerError(e.message, e.kind);
      throw e;
    }
  }
}
