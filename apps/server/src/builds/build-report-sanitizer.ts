import { redact } from '../audit/redact';

/** The most of a build log the database keeps (its end: the errors are there). */
export const BUILD_LOG_MAX_BYTES = 2 * 1024 * 1024;

/** `https://user:token@host/x` → `https://host/x`; `s3://key:secret@bucket` → `s3://bucket`. `git@host:path` is kept (no secret). */
export function stripUrlCredentials(s: string): string {
  return s
    .replace(/\b(https?:\/\/)[^\s/@]+@/gi, '$1')
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, '$1');
}

/**
 * What an agent reported, made safe to store and to show: no credentials in
 * URLs, no credential-like keys (metadata), no NUL characters (PostgreSQL's
 * text and jsonb refuse them).
 */
export function sanitizeReport<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return stripUrlCredentials(value.includes('\u0000') ? value.replace(/\u0000/g, '\uFFFD') : value) as T;
  if (depth > 30) return value;
  if (Array.isArray(value)) return value.map((v) => sanitizeReport(v, depth + 1)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[sanitizeReport(k, depth + 1)] = sanitizeReport(v, depth + 1);
    return out as T;
  }
  return value;
}

/** Metadata is free-form: credential-like keys are redacted as in the audit log. */
export function sanitizeMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  return sanitizeReport(redact(metadata) as Record<string, unknown>);
}

/** The log's end within `maxBytes`, starting at a line, with a first line saying how much was cut. */
export function capLog(log: string, maxBytes = BUILD_LOG_MAX_BYTES): string {
  const bytes = Buffer.byteLength(log);
  if (bytes <= maxBytes) return log;
  const buf = Buffer.from(log);
  let tail = buf.subarray(bytes - (maxBytes - 100)).toString('utf8');
  const nl = tail.indexOf('\n');
  if (nl >= 0 && nl < tail.length - 1) tail = tail.slice(nl + 1);
  // A cut through a multi-byte character decodes to U+FFFD at the start; the line cut above drops it.
  const cut = bytes - Buffer.byteLength(tail);
  return `[pfnlab: the first ${cut} bytes of the build log were not kept]\n${tail}`;
}
