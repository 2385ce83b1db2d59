import * as https from 'node:https';

/* A minimal HMC Web Services client (used by `vlab up`/`status` and the tests). */
export class HmcClient {
  session?: string;
  constructor(readonly baseUrl: string, readonly user: string, readonly password: string, readonly timeoutMs = 10_000) {}

  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const url = new URL(path, this.baseUrl);
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(url, {
        method, rejectUnauthorized: false, timeout: this.timeoutMs,
        headers: { 'Content-Type': 'application/json', ...(this.session ? { 'X-API-Session': this.session } : {}), ...(data ? { 'Content-Length': Buffer.byteLength(data) } : {}) },
      }, (res) => {
        let s = '';
        res.on('data', (d) => (s += d));
        res.on('end', () => {
          let parsed: unknown = undefined;
          try { parsed = s ? JSON.parse(s) : undefined; } catch { parsed = s; }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`HMC at ${this.baseUrl} did not answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  async logon(): Promise<void> {
    const r = await this.request('POST', '/api/sessions', { userid: this.user, password: this.password });
    if (r.status !== 200) throw new Error(`HMC logon failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.session = r.body['api-session'];
  }

  async logoff(): Promise<void> {
    if (this.session) await this.request('DELETE', '/api/sessions/this-session');
    this.session = undefined;
  }

  async lparUri(cpc: string, lpar: string): Promise<string> {
    const c = await this.request('GET', `/api/cpcs?name=${encodeURIComponent(cpc)}`);
    const cpcUri = c.body?.cpcs?.[0]?.['object-uri'];
    if (!cpcUri) throw new Error(`no CPC ${cpc}`);
    const l = await this.request('GET', `${cpcUri}/logical-partitions?name=${encodeURIComponent(lpar)}`);
    const uri = l.body?.['logical-partitions']?.[0]?.['object-uri'];
    if (!uri) throw new Error(`no LPAR ${lpar} on ${cpc}`);
    return uri;
  }

  /** Starts an asynchronous operation and waits for its job; returns the job's final document. */
  async operation(uri: string, op: string, body: unknown, timeoutMs = 120_000): Promise<any> {
    const r = await this.request('POST', `${uri}/operations/${op}`, body);
    if (r.status !== 202) throw new Error(`${op}: ${r.status} ${JSON.stringify(r.body)}`);
    const job = r.body['job-uri'];
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const j = await this.request('GET', job);
      if (j.body?.status === 'complete') {
        await this.request('DELETE', job);
        return j.body;
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error(`${op}: job ${job} still running after ${timeoutMs} ms`);
  }
}
