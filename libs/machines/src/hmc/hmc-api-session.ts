import { sleep } from '../exec/run-command';
import { CertificatePinError, HttpTransportError, requestJson, type JsonResponse } from '../tls/pinned-https';

/*
 * A session with an IBM HMC Web Services API (the subset pfnlab uses; see
 * deploy/vlab/README.md): logon, re-logon once when the session expired
 * (HTTP 403 reason 5), CPC/LPAR lookup by name, asynchronous jobs, logoff.
 * Failures are HmcError with a kind the power driver maps to PowerError.
 * The power driver and the OS-messages console of one LPAR share a session.
 */

export type HmcFailure = 'unreachable' | 'timeout' | 'auth' | 'refused' | 'protocol';

export class HmcError extends Error {
  constructor(
    message: string,
    readonly kind: HmcFailure,
    readonly httpStatus?: number,
    readonly reason?: number,
  ) {
    super(message);
  }
}

export interface HmcTarget {
  baseUrl: string;
  username: string;
  /** For messages only. */
  passwordRef: string;
  cpc: string;
  lpar: string;
  certSha256?: string;
}

export interface HmcSessionOptions {
  requestTimeoutMs?: number;
  jobPollIntervalMs?: number;
  /** Notes for the run log (never a secret): re-logons, job results. */
  log?: (message: string) => void;
}

export interface HmcJobResult {
  statusCode: number;
  reasonCode: number | null;
  results: unknown;
}

type Body = Record<string, unknown> | undefined;

export class HmcApiSession {
  readonly describe: string;
  private token?: string;
  private loggingOn?: Promise<void>;
  private lparUriCache?: string;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly log: (m: string) => void;

  constructor(
    readonly target: HmcTarget,
    private readonly password: () => string,
    o: HmcSessionOptions = {},
  ) {
    this.describe = `hmc ${new URL(target.baseUrl).host} ${target.cpc}/${target.lpar}`;
    this.timeoutMs = o.requestTimeoutMs ?? 15_000;
    this.pollMs = o.jobPollIntervalMs ?? 500;
    this.log = o.log ?? (() => undefined);
  }

  private async raw(method: string, path: string, body?: unknown, session = this.token): Promise<JsonResponse> {
    try {
      return await requestJson(
        {
          method,
          url: new URL(path, this.target.baseUrl),
          headers: session ? { 'X-API-Session': session } : {},
          body,
          timeoutMs: this.timeoutMs,
        },
        this.target.certSha256,
      );
    } catch (e) {
      if (e instanceof CertificatePinError) throw new HmcError(`${this.describe}: ${e.message}`, 'auth');
      if (e instanceof HttpTransportError) {
        throw new HmcError(`${this.describe}: ${e.message}; check that the HMC is up and reachable from this agent`, e.kind === 'timeout' ? 'timeout' : e.kind === 'tls' ? 'protocol' : 'unreachable');
      }
      throw e;
    }
  }

  async logon(): Promise<void> {
    // Concurrent callers (power driver and console) share one logon.
    this.loggingOn ??= (async () => {
      let pw: string;
      try {
        pw = this.password();
      } catch (e) {
        throw new HmcError(`${this.describe}: ${(e as Error).message}`, 'auth');
      }
      const r = await this.raw('POST', '/api/sessions', { userid: this.target.username, password: pw }, undefined);
      if (r.status === 403 || r.status === 401) {
        throw new HmcError(
          `${this.describe}: logon of user "${this.target.username}" refused; check the HMC credentials (passwordRef ${this.target.passwordRef}) and that the user may use the Web Services API`,
          'auth', r.status, reasonOf(r),
        );
      }
      const token = (r.body as Record<string, unknown> | undefined)?.['api-session'];
      if (r.status !== 200 || typeof token !== 'string') throw this.httpError('logon', r);
      this.token = token;
    })().finally(() => (this.loggingOn = undefined));
    return this.loggingOn;
  }

  /** Best effort: a session that is gone already is fine. */
  async logoff(): Promise<void> {
    const t = this.token;
    this.token = undefined;
    if (!t) return;
    try {
      await this.raw('DELETE', '/api/sessions/this-session', undefined, t);
    } catch {
      /* the HMC forgets idle sessions by itself */
    }
  }

  /**
   * A request with a session: logs on if needed, and once more if the HMC
   * says the session expired (403 reason 5), then retries the request.
   */
  async request(method: string, path: string, body?: Body): Promise<JsonResponse> {
    if (!this.token) await this.logon();
    let r = await this.raw(method, path, body);
    if (r.status === 403 && reasonOf(r) === 5) {
      this.log(`${this.describe}: API session expired; logging on again`);
      this.token = undefined;
      await this.logon();
      r = await this.raw(method, path, body);
    }
    return r;
  }

  async requestOk(what: string, method: string, path: string, body?: Body): Promise<Record<string, unknown>> {
    const r = await this.request(method, path, body);
    if (r.status < 200 || r.status > 299) throw this.httpError(what, r);
    return (r.body ?? {}) as Record<string, unknown>;
  }

  httpError(what: string, r: JsonResponse): HmcError {
    const b = (r.body ?? {}) as Record<string, unknown>;
    const msg = typeof b.message === 'string' ? b.message : JSON.stringify(r.body ?? '').slice(0, 200);
    const kind: HmcFailure = r.status === 401 || r.status === 403 ? 'auth' : r.status === 409 || r.status === 400 || r.status >= 500 ? 'refused' : 'protocol';
    return new HmcError(`${this.describe}: ${what}: HTTP ${r.status} reason ${reasonOf(r) ?? '-'}: ${msg}`, kind, r.status, reasonOf(r));
  }

  /** The LPAR's object URI, looked up by CPC and LPAR name (names are regexes on the HMC: match exactly). */
  async lparUri(): Promise<string> {
    if (this.lparUriCache) return this.lparUriCache;
    const exact = (s: string) => encodeURIComponent(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const cpcs = (await this.requestOk('CPC lookup', 'GET', `/api/cpcs?name=${exact(this.target.cpc)}`)).cpcs as Array<Record<string, string>> | undefined;
    const cpcUri = cpcs?.find((c) => c.name === this.target.cpc)?.['object-uri'];
    if (!cpcUri) throw new HmcError(`${this.describe}: the HMC manages no CPC named ${this.target.cpc}; check power.cpc in the inventory`, 'refused');
    const lpars = (await this.requestOk('LPAR lookup', 'GET', `${cpcUri}/logical-partitions?name=${exact(this.target.lpar)}`))['logical-partitions'] as
      | Array<Record<string, string>>
      | undefined;
    const uri = lpars?.find((l) => l.name === this.target.lpar)?.['object-uri'];
    if (!uri) throw new HmcError(`${this.describe}: CPC ${this.target.cpc} has no LPAR named ${this.target.lpar}; check power.lpar in the inventory`, 'refused');
    this.lparUriCache = uri;
    return uri;
  }

  async lparStatus(): Promise<string> {
    const props = await this.requestOk('LPAR properties', 'GET', await this.lparUri());
    return String(props.status ?? 'unknown');
  }

  /**
   * Starts an LPAR operation and polls its job until complete. A job that
   * ends with a non-2xx job-status-code is an HmcError 'refused' carrying
   * the job's own message.
   */
  async runJob(operation: string, body: Record<string, unknown>, timeoutMs: number): Promise<HmcJobResult> {
    const uri = await this.lparUri();
    const started = await this.requestOk(operation, 'POST', `${uri}/operations/${operation}`, body);
    const job = started['job-uri'];
    if (typeof job !== 'string') throw new HmcError(`${this.describe}: ${operation}: the HMC returned no job-uri`, 'protocol');
    const end = Date.now() + timeoutMs;
    for (;;) {
      const j = await this.requestOk(`${operation} job`, 'GET', job);
      if (j.status === 'complete') {
        await this.request('DELETE', job).catch(() => undefined);
        const res: HmcJobResult = { statusCode: Number(j['job-status-code']), reasonCode: (j['job-reason-code'] as number | null) ?? null, results: j['job-results'] };
        if (!(res.statusCode >= 200 && res.statusCode <= 299)) {
          const m = (res.results as Record<string, unknown> | null)?.message;
          throw new HmcError(
            `${this.describe}: ${operation} failed: job-status-code ${res.statusCode} reason ${res.reasonCode ?? '-'}${typeof m === 'string' ? `: ${m}` : ''}`,
            'refused', res.statusCode, res.reasonCode ?? undefined,
          );
        }
        return res;
      }
      if (Date.now() >= end) throw new HmcError(`${this.describe}: ${operation}: job ${job} still running after ${Math.round(timeoutMs / 1000)} s`, 'timeout');
      await sleep(this.pollMs);
    }
  }
}

function reasonOf(r: JsonResponse): number | undefined {
  const v = (r.body as Record<string, unknown> | undefined)?.reason;
  return typeof v === 'number' ? v : undefined;
}
