/** Keys whose values are credentials, wherever they appear in a structure. */
const SECRET_KEY_RE = /pass(word)?|secret|private.?key|token|credential|^key$/i;

/**
 * A copy of `value` with credential-like fields replaced by "[redacted]".
 * Used before anything user-supplied is logged or audited. Secret
 * *references* (`passwordRef: env:BMC_PW`) are kept: they are not secrets.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 20) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY_RE.test(k) && !/Ref$/.test(k) ? '[redacted]' : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}
