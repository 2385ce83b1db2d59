import { sleep } from '../exec/run-command';
import { CertificatePinError, HttpTransportError, requestJson, type JsonResponse } from '../tls/pinned-https';
import { PowerError, type PowerDriver, type PowerState } from './power-driver';

export interface RedfishTarget {
  baseUrl: string;
  /** Members of /redfish/v1/Systems; looked up when absent (a BMC with exactly one system). */
  systemId?: string;
  username: string;
  passwordRef: string;
  certSha256?: string;
}

export interface RedfishPowerOptions {
  requestTimeoutMs?: number;
  confirmTimeoutMs?: number;
  confirmIntervalMs?: number;
}

/**
 * Power through a Redfish BMC: `PowerState` of Systems/{id} and
 * `ComputerSystem.Reset` (On, ForceOff, PowerCycle or ForceOff + On,
 * ForceRestart), HTTP basic auth on every request (no session to leak or
 * expire), HTTPS with the certificate pinned when certSha256 is set.
 * Changes are confirmed by polling PowerState.
 */
export class RedfishPowerDriver implements PowerDriver {
  readonly describe: string;
  private systemPath?: string;
  private readonly o: Required<RedfishPowerOptions>;

  constructor(
    readonly target: RedfishTarget,
    private readonly password: () => string,
    o: RedfishPowerOptions = {},
  ) {
    this.describe = `redfish ${new URL(target.baseUrl).host}${target.systemId ? ` ${target.systemId}` : ''}`;
    this.o = { requestTimeoutMs: o.requestTimeoutMs ?? 20_000, confirmTimeoutMs: o.confirmTimeoutMs ?? 30_000, confirmIntervalMs: o.confirmIntervalMs ?? 1000 };
  }

  private async call(method: string, path: string, body?: unknown): Promise<JsonResponse> {
    let pw: string;
    try {
      pw = this.password();
    } catch (e) {
      throw new PowerError(`${this.describe}: ${(e as Error).message}`, 'auth');
    }
    const auth = 'Basic ' + Buffer.from(`${this.target.username}:${pw}`).toString('base64');
    let r: JsonResponse;
    try {
      r = await requestJson({ method, url: new URL(path, this.target.baseUrl), headers: { Authorization: auth, 'OData-Version': '4.0' }, body, timeoutMs: this.o.requestTimeoutMs }, this.target.certSha256);
    } catch (e) {
      if (e instanceof CertificatePinError) throw new PowerError(`${this.describe}: ${e.message}`, 'auth');
      if (e instanceof HttpTransportError) {
        throw new PowerError(`${this.describe}: ${e.message}; check that the BMC is up and reachable from this agent`, e.kind === 'timeout' ? 'timeout' : e.kind === 'tls' ? 'protocol' : 'unreachable');
      }
      throw e;
    }
    if (r.status === 401 || r.status === 403) {
      throw new PowerError(`${this.describe}: ${method} ${path}: HTTP ${r.status}; check the BMC credentials (passwordRef ${this.target.passwordRef}, username ${this.target.username})`, 'auth');
    }
    if (r.status < 200 || r.status > 299) {
      const kind = r.status >= 500 || r.status === 400 || r.status === 409 ? 'refused' : 'protocol';
      throw new PowerError(`${this.describe}: ${method} ${path}: HTTP ${r.status}${redfishMessage(r.body)}`, kind);
    }
    return r;
  }

  private async system(): Promise<string> {
    if (this.systemPath) return this.systemPath;
    if (this.target.systemId) return (this.systemPath = `/redfish/v1/Systems/${encodeURIComponent(this.target.systemId)}`);
    const members = ((await this.call('GET', '/redfish/v1/Systems')).body as { Members?: Array<{ '@odata.id': string }> })?.Members ?? [];
    if (members.length !== 1) {
      throw new PowerError(`${this.describe}: the BMC has ${members.length} systems; set power.systemId in the inventory`, 'protocol');
    }
    return (this.systemPath = members[0]['@odata.id']);
  }

  async status(): Promise<PowerState> {
    const b = (await this.call('GET', await this.system())).body as { PowerState?: string } | undefined;
    const s = b?.PowerState;
    // PoweringOn/PoweringOff are transitions: unknown until they settle.
    return s === 'On' ? 'on' : s === 'Off' ? 'off' : 'unknown';
  }

  private async allowed(): Promise<string[]> {
    const b = (await this.call('GET', await this.system())).body as Record<string, any> | undefined;
    const a = b?.Actions?.['#ComputerSystem.Reset']?.['ResetType@Redfish.AllowableValues'];
    return Array.isArray(a) ? a.map(String) : [];
  }

  private async resetAction(type: string): Promise<void> {
    const sys = await this.system();
    const b = (await this.call('GET', sys)).body as Record<string, any> | undefined;
    const target = b?.Actions?.['#ComputerSystem.Reset']?.target ?? `${sys}/Actions/ComputerSystem.Reset`;
    await this.call('POST', target, { ResetType: type });
  }

  async on(): Promise<void> {
    if ((await this.status()) === 'on') return;
    await this.resetAction('On');
    await this.confirm('on', 'On');
  }

  async off(): Promise<void> {
    if ((await this.status()) === 'off') return;
    await this.resetAction('ForceOff');
    await this.confirm('off', 'ForceOff');
  }

  async cycle(): Promise<void> {
    if ((await this.status()) === 'off') return this.on();
    if ((await this.allowed()).includes('PowerCycle')) {
      await this.resetAction('PowerCycle');
      await this.confirm('on', 'PowerCycle');
      return;
    }
    await this.off();
    await this.on();
  }

  async reset(): Promise<void> {
    await this.resetAction('ForceRestart');
    await this.confirm('on', 'ForceRestart');
  }

  private async confirm(want: PowerState, op: string): Promise<void> {
    const end = Date.now() + this.o.confirmTimeoutMs;
    let last: PowerState;
    for (;;) {
      last = await this.status();
      if (last === want) return;
      if (Date.now() >= end) break;
      await sleep(this.o.confirmIntervalMs);
    }
    throw new PowerError(`${this.describe}: ${op} was accepted but PowerState is still ${last} after ${Math.round(this.o.confirmTimeoutMs / 1000)} s`, 'refused');
  }
}

function redfishMessage(body: unknown): string {
  const b = body as { error?: { message?: string; '@Message.ExtendedInfo'?: Array<{ Message?: string }> } } | undefined;
  const m = b?.error?.['@Message.ExtendedInfo']?.[0]?.Message ?? b?.error?.message;
  return m ? `: ${String(m).slice(0, 300)}` : '';
}
