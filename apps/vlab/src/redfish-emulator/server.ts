import { execFile } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';

/*
 * A Redfish service for one machine, beside its IPMI BMC: the subset pfnlab
 * uses (service root, Systems, ComputerSystem PowerState and Reset,
 * SessionService sessions or HTTP basic auth), over HTTPS on loopback. Power
 * goes through the same ipmi_sim (ipmitool), as on a BMC that speaks both.
 */

export interface RedfishConfig {
  port: number;
  certFile: string;
  keyFile: string;
  username: string;
  passwordFile: string;
  systemId: string;
  sessionTimeoutSec: number;
  ipmi: { host: string; port: number; username: string; passwordFile: string };
}

const RESET_TYPES: Record<string, string> = {
  On: 'on', ForceOff: 'off', GracefulShutdown: 'soft', ForceRestart: 'reset', PowerCycle: 'cycle',
};

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

export class RedfishEmulator {
  /** token -> last use (ms) */
  private readonly sessions = new Map<string, number>();
  /** session id -> token */
  private readonly ids = new Map<string, string>();
  private server?: https.Server;

  constructor(readonly cfg: RedfishConfig) {}

  listen(): Promise<void> {
    this.server = https.createServer({ cert: fs.readFileSync(this.cfg.certFile), key: fs.readFileSync(this.cfg.keyFile) }, (req, res) => {
      this.handle(req, res).catch((e) => {
        const he = e instanceof HttpError ? e : new HttpError(500, (e as Error).message);
        this.send(res, he.status, { error: { code: 'Base.1.8.GeneralError', message: he.message } },
          he.status === 401 ? { 'WWW-Authenticate': 'Basic realm="vlab"' } : {});
      });
    });
    return new Promise((r) => this.server!.listen(this.cfg.port, '127.0.0.1', () => r()));
  }

  close(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }

  private send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    const data = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'OData-Version': '4.0', 'Content-Length': Buffer.byteLength(data), ...headers });
    res.end(data);
  }

  private password(f: string): string {
    return fs.readFileSync(f, 'utf8').replace(/\n$/, '');
  }

  private checkCreds(user: string, pw: string): boolean {
    const a = Buffer.from(pw);
    const b = Buffer.from(this.password(this.cfg.passwordFile));
    return user === this.cfg.username && a.length === b.length && timingSafeEqual(a, b);
  }

  private auth(req: IncomingMessage): void {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string') {
      const last = this.sessions.get(token);
      if (last !== undefined && Date.now() - last <= this.cfg.sessionTimeoutSec * 1000) {
        this.sessions.set(token, Date.now());
        return;
      }
      this.sessions.delete(token);
      throw new HttpError(401, 'the session is not valid');
    }
    const h = req.headers.authorization;
    if (h?.startsWith('Basic ')) {
      const dec = Buffer.from(h.slice(6), 'base64').toString('utf8');
      const i = dec.indexOf(':');
      if (i > 0 && this.checkCreds(dec.slice(0, i), dec.slice(i + 1))) return;
    }
    throw new HttpError(401, 'authentication required');
  }

  private async body(req: IncomingMessage): Promise<Record<string, unknown>> {
    let data = '';
    for await (const chunk of req) { data += chunk; if (data.length > 65536) throw new HttpError(413, 'body too large'); }
    try { return data.trim() ? JSON.parse(data) : {}; } catch { throw new HttpError(400, 'malformed JSON'); }
  }

  private ipmitool(args: string[]): Promise<string> {
    const i = this.cfg.ipmi;
    const argv = ['-I', 'lanplus', '-C', '3', '-H', i.host, '-p', String(i.port), '-U', i.username, '-f', i.passwordFile, ...args];
    return new Promise((resolve, reject) => {
      // SIGKILL: ipmitool retrying a silent BMC does not stop at SIGTERM, and a Redfish client must get its 503 in time.
      execFile('ipmitool', argv, { timeout: 15_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
        if (err) reject(new HttpError(503, `the BMC did not answer: ${(stderr || err.message).trim()}`));
        else resolve(stdout);
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const p = new URL(req.url ?? '/', 'https://bmc').pathname.replace(/\/+$/, '') || '/';
    const m = req.method ?? 'GET';
    const sys = `/redfish/v1/Systems/${this.cfg.systemId}`;
    if (m === 'GET' && (p === '/redfish' )) return this.send(res, 200, { v1: '/redfish/v1/' });
    if (m === 'GET' && p === '/redfish/v1') {
      return this.send(res, 200, {
        '@odata.id': '/redfish/v1', '@odata.type': '#ServiceRoot.v1_5_0.ServiceRoot', Id: 'RootService', Name: 'vlab Redfish service',
        RedfishVersion: '1.8.0', UUID: '00000000-0000-0000-0000-000000000001',
        Systems: { '@odata.id': '/redfish/v1/Systems' }, SessionService: { '@odata.id': '/redfish/v1/SessionService' },
        Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } },
      });
    }
    if (m === 'POST' && p === '/redfish/v1/SessionService/Sessions') {
      const b = await this.body(req);
      if (!this.checkCreds(String(b.UserName ?? ''), String(b.Password ?? ''))) throw new HttpError(401, 'invalid credentials');
      const id = randomBytes(8).toString('hex');
      const token = randomBytes(24).toString('base64url');
      this.sessions.set(token, Date.now());
      this.ids.set(id, token);
      const loc = `/redfish/v1/SessionService/Sessions/${id}`;
      return this.send(res, 201, { '@odata.id': loc, '@odata.type': '#Session.v1_0_0.Session', Id: id, Name: 'User Session', UserName: b.UserName },
        { 'X-Auth-Token': token, Location: loc });
    }
    this.auth(req);
    const ids = this.ids;
    let mm: RegExpExecArray | null;
    if (m === 'GET' && p === '/redfish/v1/SessionService') {
      return this.send(res, 200, { '@odata.id': '/redfish/v1/SessionService', '@odata.type': '#SessionService.v1_1_3.SessionService', Id: 'SessionService',
        Name: 'Session Service', ServiceEnabled: true, SessionTimeout: this.cfg.sessionTimeoutSec, Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } });
    }
    if (m === 'GET' && p === '/redfish/v1/SessionService/Sessions') {
      const members = [...ids.keys()].map((id) => ({ '@odata.id': `/redfish/v1/SessionService/Sessions/${id}` }));
      return this.send(res, 200, { '@odata.id': p, '@odata.type': '#SessionCollection.SessionCollection', Name: 'Sessions', Members: members, 'Members@odata.count': members.length });
    }
    if ((mm = /^\/redfish\/v1\/SessionService\/Sessions\/([0-9a-f]+)$/.exec(p))) {
      const token = ids.get(mm[1]);
      if (!token) throw new HttpError(404, 'no such session');
      if (m === 'DELETE') { ids.delete(mm[1]); this.sessions.delete(token); return this.send(res, 204); }
      return this.send(res, 200, { '@odata.id': p, '@odata.type': '#Session.v1_0_0.Session', Id: mm[1], Name: 'User Session', UserName: this.cfg.username });
    }
    if (m === 'GET' && p === '/redfish/v1/Systems') {
      return this.send(res, 200, { '@odata.id': p, '@odata.type': '#ComputerSystemCollection.ComputerSystemCollection', Name: 'Computer System Collection',
        Members: [{ '@odata.id': sys }], 'Members@odata.count': 1 });
    }
    if (m === 'GET' && p === sys) {
      const out = await this.ipmitool(['chassis', 'power', 'status']);
      const on = /is on/.test(out);
      return this.send(res, 200, {
        '@odata.id': sys, '@odata.type': '#ComputerSystem.v1_10_0.ComputerSystem', Id: this.cfg.systemId, Name: this.cfg.systemId,
        SystemType: 'Virtual', Manufacturer: 'pfnlab vlab', Model: 'QEMU q35', PowerState: on ? 'On' : 'Off',
        Status: { State: on ? 'Enabled' : 'StandbyOffline', Health: 'OK' },
        Boot: { BootSourceOverrideEnabled: 'Disabled', BootSourceOverrideTarget: 'None' },
        Actions: { '#ComputerSystem.Reset': { target: `${sys}/Actions/ComputerSystem.Reset`, 'ResetType@Redfish.AllowableValues': Object.keys(RESET_TYPES) } },
      });
    }
    if (m === 'POST' && p === `${sys}/Actions/ComputerSystem.Reset`) {
      const b = await this.body(req);
      const op = RESET_TYPES[String(b.ResetType)];
      if (!op) throw new HttpError(400, `ResetType must be one of ${Object.keys(RESET_TYPES).join(', ')}`);
      await this.ipmitool(['chassis', 'power', op]);
      return this.send(res, 204);
    }
    throw new HttpError(404, `no such resource: ${m} ${p}`);
  }
}
