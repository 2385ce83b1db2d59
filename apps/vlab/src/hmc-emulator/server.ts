import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Lpar, LparConfig } from './lpar';

/*
 * An emulation of the subset of the IBM HMC Web Services API that pfnlab
 * uses (see deploy/vlab/README.md for the subset and every difference).
 */

export interface HmcConfig {
  port: number;
  certFile: string;
  keyFile: string;
  username: string;
  passwordFile: string;
  /** Idle timeout of an API session, seconds. */
  sessionTimeoutSec: number;
  cpc: { id: string; name: string };
  lpars: LparConfig[];
}

interface Session { id: string; user: string; lastUsed: number }
interface Job { id: string; status: 'running' | 'complete'; code?: number; reason?: number; results?: unknown; uri: string; target: string }

class HttpError extends Error {
  constructor(readonly status: number, readonly reason: number, message: string) { super(message); }
}

export class HmcEmulator {
  private readonly sessions = new Map<string, Session>();
  private readonly jobs = new Map<string, Job>();
  readonly lpars: Lpar[];
  private server?: https.Server;

  constructor(readonly cfg: HmcConfig) {
    this.lpars = cfg.lpars.map((l) => new Lpar(l));
  }

  listen(): Promise<void> {
    this.server = https.createServer({ cert: fs.readFileSync(this.cfg.certFile), key: fs.readFileSync(this.cfg.keyFile) }, (req, res) => {
      this.handle(req, res).catch((e) => this.error(res, e));
    });
    return new Promise((r) => this.server!.listen(this.cfg.port, '127.0.0.1', () => r()));
  }

  async close(): Promise<void> {
    for (const l of this.lpars) await l.stop(3000);
    await new Promise((r) => this.server?.close(r));
  }

  private send(res: ServerResponse, status: number, body?: unknown): void {
    if (body === undefined) { res.writeHead(status); res.end(); return; }
    const data = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
    res.end(data);
  }

  private error(res: ServerResponse, e: unknown): void {
    const he = e instanceof HttpError ? e : new HttpError(500, 0, (e as Error).message);
    this.send(res, he.status, { 'http-status': he.status, reason: he.reason, message: he.message, 'request-method': '', 'request-uri': '' });
  }

  private async body(req: IncomingMessage): Promise<Record<string, unknown>> {
    let data = '';
    for await (const chunk of req) { data += chunk; if (data.length > 65536) throw new HttpError(400, 1, 'request body too large'); }
    if (!data.trim()) return {};
    try {
      const v = JSON.parse(data);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      return v as Record<string, unknown>;
    } catch {
      throw new HttpError(400, 9, 'the request body is not a JSON object');
    }
  }

  private password(): string {
    return fs.readFileSync(this.cfg.passwordFile, 'utf8').replace(/\n$/, '');
  }

  private auth(req: IncomingMessage): Session {
    const token = req.headers['x-api-session'];
    if (typeof token !== 'string') throw new HttpError(403, 5, 'the request requires an X-API-Session header');
    const s = this.sessions.get(token);
    const now = Date.now();
    if (!s || now - s.lastUsed > this.cfg.sessionTimeoutSec * 1000) {
      if (s) this.sessions.delete(token);
      throw new HttpError(403, 5, 'the API session is not valid (expired or logged off)');
    }
    s.lastUsed = now;
    return s;
  }

  private lparById(id: string): Lpar {
    const l = this.lpars.find((x) => x.cfg.id === id);
    if (!l) throw new HttpError(404, 1, `no logical partition ${id}`);
    return l;
  }

  private lparProps(l: Lpar) {
    return {
      'object-uri': `/api/logical-partitions/${l.cfg.id}`, 'object-id': l.cfg.id, 'class': 'logical-partition',
      'parent': `/api/cpcs/${this.cfg.cpc.id}`, name: l.cfg.name, status: l.status,
      'activation-mode': 'linux', 'os-type': l.status === 'operating' ? 'Linux' : '', 'os-name': l.status === 'operating' ? l.cfg.name : '',
      'last-used-load-address': l.lastLoadAddress, 'last-used-load-parameter': l.lastLoadParameter,
      'has-unacceptable-status': l.status === 'exceptions',
    };
  }

  private startJob(target: string, work: () => Promise<{ code: number; reason?: number; results?: unknown }>): { 'job-uri': string } {
    const id = randomBytes(8).toString('hex');
    const job: Job = { id, status: 'running', uri: `/api/jobs/${id}`, target };
    this.jobs.set(id, job);
    work().then(
      (r) => Object.assign(job, { status: 'complete', code: r.code, reason: r.reason, results: r.results ?? null }),
      (e) => Object.assign(job, { status: 'complete', code: 500, reason: 0, results: { message: (e as Error).message } }),
    );
    return { 'job-uri': job.uri };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://hmc');
    const p = url.pathname.replace(/\/+$/, '');
    const m = req.method ?? 'GET';
    let mm: RegExpExecArray | null;

    if (m === 'GET' && p === '/api/version') {
      return this.send(res, 200, { 'api-major-version': 4, 'api-minor-version': 10, 'hmc-name': 'VLABHMC', 'hmc-version': '2.15.0' });
    }
    if (m === 'POST' && p === '/api/sessions') {
      const b = await this.body(req);
      const pw = Buffer.from(String(b.password ?? ''));
      const want = Buffer.from(this.password());
      const ok = b.userid === this.cfg.username && pw.length === want.length && timingSafeEqual(pw, want);
      if (!ok) throw new HttpError(403, 0, 'logon failed: user ID or password is not valid');
      const id = randomBytes(24).toString('base64url');
      this.sessions.set(id, { id, user: String(b.userid), lastUsed: Date.now() });
      return this.send(res, 200, {
        'api-session': id, 'notification-topic': `vlab.${id.slice(0, 8)}`, 'job-notification-topic': `vlab.job.${id.slice(0, 8)}`,
        'api-major-version': 4, 'api-minor-version': 10, 'password-expires': -1, 'session-credential': id,
      });
    }
    const session = this.auth(req);
    if (m === 'DELETE' && p === '/api/sessions/this-session') {
      this.sessions.delete(session.id);
      return this.send(res, 204);
    }
    if (m === 'GET' && p === '/api/cpcs') {
      const name = url.searchParams.get('name');
      const c = this.cfg.cpc;
      const list = !name || new RegExp(`^(?:${name})$`).test(c.name)
        ? [{ 'object-uri': `/api/cpcs/${c.id}`, name: c.name, status: 'operating', 'has-unacceptable-status': false, 'dpm-enabled': false, 'se-version': '2.15.0' }] : [];
      return this.send(res, 200, { cpcs: list });
    }
    if (m === 'GET' && (mm = /^\/api\/cpcs\/([^/]+)$/.exec(p))) {
      if (mm[1] !== this.cfg.cpc.id) throw new HttpError(404, 1, `no CPC ${mm[1]}`);
      return this.send(res, 200, { 'object-uri': `/api/cpcs/${this.cfg.cpc.id}`, 'object-id': this.cfg.cpc.id, name: this.cfg.cpc.name, status: 'operating', 'dpm-enabled': false });
    }
    if (m === 'GET' && (mm = /^\/api\/cpcs\/([^/]+)\/logical-partitions$/.exec(p))) {
      if (mm[1] !== this.cfg.cpc.id) throw new HttpError(404, 1, `no CPC ${mm[1]}`);
      const name = url.searchParams.get('name');
      const list = this.lpars.filter((l) => !name || new RegExp(`^(?:${name})$`).test(l.cfg.name))
        .map((l) => ({ 'object-uri': `/api/logical-partitions/${l.cfg.id}`, name: l.cfg.name, status: l.status }));
      return this.send(res, 200, { 'logical-partitions': list });
    }
    if (m === 'GET' && (mm = /^\/api\/logical-partitions\/([^/]+)$/.exec(p))) {
      return this.send(res, 200, this.lparProps(this.lparById(mm[1])));
    }
    if (m === 'POST' && (mm = /^\/api\/logical-partitions\/([^/]+)\/operations\/([a-z-]+)$/.exec(p))) {
      const l = this.lparById(mm[1]);
      const op = mm[2];
      const b = await this.body(req);
      const uri = `/api/logical-partitions/${l.cfg.id}`;
      if (op === 'activate') {
        return this.send(res, 202, this.startJob(uri, async () => { l.activate(); return { code: 200, results: { message: 'activated' } }; }));
      }
      if (op === 'deactivate') {
        if (l.status === 'operating' && b.force !== true) throw new HttpError(409, 1, 'the logical partition is operating; use force=true');
        return this.send(res, 202, this.startJob(uri, async () => {
          const ok = await l.deactivate(l.fault === 'no-poweroff' ? 10_000 : 30_000);
          return ok ? { code: 200 } : { code: 500, reason: 263, results: { message: 'the logical partition did not stop' } };
        }));
      }
      if (op === 'load') {
        const addr = String(b['load-address'] ?? l.lastLoadAddress);
        const parm = String(b['load-parameter'] ?? '');
        if (!/^[0-9A-Fa-f.]{1,9}$/.test(addr)) throw new HttpError(400, 7, 'load-address is not a device number');
        if (!/^[A-Za-z0-9.]{0,8}$/.test(parm)) throw new HttpError(400, 7, 'load-parameter is not valid');
        if (l.status === 'not-activated') throw new HttpError(409, 1, 'the logical partition is not activated');
        if (l.status === 'operating' && b.force !== true) throw new HttpError(409, 1, 'the logical partition is operating; use force=true');
        if (l.status === 'operating' && l.fault === 'no-poweroff') {
          return this.send(res, 202, this.startJob(uri, async () => ({ code: 500, reason: 263, results: { message: 'the logical partition did not stop' } })));
        }
        return this.send(res, 202, this.startJob(uri, async () => { await l.load(addr, parm); return { code: 200 }; }));
      }
      if (op === 'send-os-cmd') {
        const text = b['operating-system-command-text'];
        if (typeof text !== 'string' || text.length > 4096) throw new HttpError(400, 7, 'operating-system-command-text is required');
        if (!l.sendCommand(text)) throw new HttpError(409, 1, 'the operating system messages console is not available (not loaded)');
        return this.send(res, 204);
      }
      if (op === 'open-os-message-channel') {
        return this.send(res, 200, { 'topic-name': `vlab.os-messages.${l.cfg.id}` });
      }
      throw new HttpError(404, 1, `unknown operation ${op}`);
    }
    if (m === 'GET' && (mm = /^\/api\/logical-partitions\/([^/]+)\/operations\/list-os-messages$/.exec(p))) {
      const l = this.lparById(mm[1]);
      const begin = Number(url.searchParams.get('begin-sequence-number') ?? 0);
      const max = Number(url.searchParams.get('max-messages') ?? 0);
      let msgs = l.messages.filter((x) => x['sequence-number'] >= begin);
      if (max > 0) msgs = msgs.slice(0, max);
      return this.send(res, 200, { 'os-messages': msgs, 'vlab-pending-text': l.pendingText() });
    }
    if ((mm = /^\/api\/jobs\/([0-9a-f]+)$/.exec(p))) {
      const job = this.jobs.get(mm[1]);
      if (!job) throw new HttpError(404, 1, `no job ${mm[1]}`);
      if (m === 'DELETE') {
        if (job.status !== 'complete') throw new HttpError(409, 40, 'the job is still running');
        this.jobs.delete(job.id);
        return this.send(res, 204);
      }
      if (m === 'GET') {
        return this.send(res, 200, job.status === 'running'
          ? { status: 'running' }
          : { status: 'complete', 'job-status-code': job.code, 'job-reason-code': job.reason ?? null, 'job-results': job.results ?? null });
      }
    }
    throw new HttpError(404, 1, `no such resource: ${m} ${p}`);
  }
}
