/*
 * The marker line format shared by the sh payloads (pfnlab-common.sh,
 * pf_emit) and the parser. Documented in libs/payloads/README.md:
 *
 *   @@PFNLAB v1 <kind> run=<id> seq=<n> key=value ... len=<n>
 *
 * `len` is the number of characters before " len=": a line that lost or
 * gained bytes on its way (serial console, spliced kernel message,
 * truncation) fails the check and is rejected instead of misread.
 */

export const MARKER_PREFIX = '@@PFNLAB';
export const MARKER_VERSION = 'v1';

export const MARKER_KINDS = ['begin', 'info', 'sample', 'count', 'counter', 'unavailable', 'skip', 'end'] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

export const UNITS = ['ns', 'us', 'count', 'bytes', 'pages'] as const;
export type Unit = (typeof UNITS)[number];

/** Keys: lower-case identifiers. */
export const KEY_RE = /^[a-z][a-z0-9_]{0,31}$/;
/** Values: the only characters a payload may print in a value. */
export const VALUE_RE = /^[A-Za-z0-9_.:/-]{1,128}$/;
/** Metric names (samples, counts): lower-case, dots and underscores. */
export const METRIC_RE = /^[a-z][a-z0-9_.]{0,63}$/;
/** Counter names: kernel symbols (leading underscores) and vmstat.<field>, perf.<event>. */
export const COUNTER_RE = /^[A-Za-z_][A-Za-z0-9_.:]{0,95}$/;
export const RUN_RE = /^[A-Za-z0-9_-]{1,32}$/;
export const INT_RE = /^-?[0-9]{1,16}$/;
export const DECIMAL_RE = /^-?[0-9]{1,16}(\.[0-9]{1,9})?$/;

/**
 * Formats one marker line, as pf_emit does (for tests, fixtures and any
 * TypeScript-side emitter). Throws on a key or value outside the grammar:
 * an emitter bug, never input data.
 */
export function formatMarkerLine(kind: MarkerKind, run: string, seq: number, fields: ReadonlyArray<readonly [string, string | number]> = []): string {
  if (!RUN_RE.test(run)) throw new Error(`bad run id ${JSON.stringify(run)}`);
  if (!Number.isInteger(seq) || seq < 0) throw new Error(`bad seq ${seq}`);
  let body = `${MARKER_PREFIX} ${MARKER_VERSION} ${kind} run=${run} seq=${seq}`;
  for (const [k, v] of fields) {
    const s = String(v);
    if (!KEY_RE.test(k)) throw new Error(`bad key ${JSON.stringify(k)}`);
    if (!VALUE_RE.test(s)) throw new Error(`bad value ${JSON.stringify(s)} for ${k}`);
    body += ` ${k}=${s}`;
  }
  return `${body} len=${body.length}`;
}
