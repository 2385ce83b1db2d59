import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';

/*
 * JSON over HTTP(S) for BMC/HMC web services, with the server certificate
 * pinned by its SHA-256 fingerprint. Lab controllers have self-signed
 * certificates, so a CA check cannot be used; instead the TLS connection is
 * opened first (rejectUnauthorized: false), the peer certificate's
 * fingerprint is compared with the pin, and only then is the HTTP request
 * (with its credentials) written on that socket. A mismatch never sends a
 * byte of the request. Without a pin, normal CA verification applies.
 */

export class CertificatePinError extends Error {
  constructor(
    readonly endpoint: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `${endpoint} presented a certificate with SHA-256 ${actual}, but the inventory pins ${expected}; ` +
        'no credentials were sent. If the certificate was replaced on purpose, update certSha256 in the inventory; otherwise treat it as an attack',
    );
  }
}

/** Transport failures, so drivers can map them to unreachable/timeout. */
export class HttpTransportError extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'timeout' | 'tls',
  ) {
    super(message);
  }
}

export interface JsonResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface PinnedRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

/** `AB:CD:..` or `abcd..` → `abcd..` */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/:/g, '').toLowerCase();
}

function connectPinned(url: URL, pin: string, timeoutMs: number): Promise<tls.TLSSocket> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host, port, rejectUnauthorized: false, servername: net_isIp(host) ? undefined : host });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new HttpTransportError(`${url.origin} did not complete a TLS handshake within ${timeoutMs} ms`, 'timeout'));
    }, timeoutMs);
    sock.once('secureConnect', () => {
      clearTimeout(timer);
      const fp = sock.getPeerCertificate()?.fingerprint256 ?? '';
      if (normalizeFingerprint(fp) !== normalizeFingerprint(pin)) {
        sock.destroy();
        return reject(new CertificatePinError(url.origin, pin, fp || '(none)'));
      }
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(transportError(url, e));
    });
  });
}

function net_isIp(h: string): boolean {
  return /^[0-9.]+$/.test(h) || h.includes(':');
}

function transportError(url: URL, e: NodeJS.ErrnoException): HttpTransportError {
  const code = e.code ?? '';
  if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET'].includes(code)) {
    return new HttpTransportError(`${url.origin} is unreachable (${code})`, 'unreachable');
  }
  if (code === 'ETIMEDOUT') return new HttpTransportError(`${url.origin} timed out (${code})`, 'timeout');
  if (/certificate|self.signed|SSL|TLS/i.test(`${code} ${e.message}`)) return new HttpTransportError(`${url.origin}: TLS failed (${code || e.message})`, 'tls');
  return new HttpTransportError(`${url.origin}: ${code || e.message}`, 'unreachable');
}

/**
 * One request; resolves with any HTTP status (the caller decides), rejects
 * with CertificatePinError or HttpTransportError. The whole exchange is
 * bounded by timeoutMs.
 */
export async function requestJson(req: PinnedRequest, certSha256?: string): Promise<JsonResponse> {
  const { url } = req;
  const deadline = Date.now() + req.timeoutMs;
  const isHttps = url.protocol === 'https:';
  const socket = isHttps && certSha256 ? await connectPinned(url, certSha256, req.timeoutMs) : undefined;
  const data = req.body === undefined ? undefined : JSON.stringify(req.body);
  const headers: Record<string, string | number> = { Accept: 'application/json', ...req.headers };
  if (data !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = Buffer.byteLength(data);
  }
  const left = Math.max(1, deadline - Date.now());
  return new Promise((resolve, reject) => {
    const opts: https.RequestOptions = { method: req.method, headers, timeout: left };
    if (socket) {
      opts.createConnection = () => socket;
    }
    const mod = isHttps ? https : http;
    const r = mod.request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        clearTimeout(hard);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = undefined;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on('error', (e) => reject(transportError(url, e)));
    });
    // An answer that trickles in (or a server stopped mid-response) is still bounded.
    const hard = setTimeout(() => r.destroy(new HttpTransportError(`${url.origin} did not answer ${req.method} ${url.pathname} within ${req.timeoutMs} ms`, 'timeout')), left);
    r.on('timeout', () => r.destroy(new HttpTransportError(`${url.origin} did not answer ${req.method} ${url.pathname} within ${req.timeoutMs} ms`, 'timeout')));
    r.on('error', (e) => {
      clearTimeout(hard);
      socket?.destroy();
      reject(e instanceof HttpTransportError ? e : transportError(url, e as NodeJS.ErrnoException));
    });
    r.end(data);
  });
}
