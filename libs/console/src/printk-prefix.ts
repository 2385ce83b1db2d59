/** What precedes the message on a console or syslog line. */
export interface PrintkPrefix {
  body: string;
  time: number | null;
  caller: string | null;
}

// Optional "<6>" level, "[   12.345678]" (skiboot adds ",5"), then an optional
// caller id "[ T123]" / "[ C1]" with or without a space before it.
const PRINTK = /^(?:<\d{1,3}>)?\[ {0,12}(\d{1,10})\.(\d{1,9})(?:,\d)?\](?: ?\[ {0,8}([TC]\d{1,8})\])?/;
// Caller id alone (CONFIG_PRINTK_TIME off).
const CALLER_ONLY = /^(?:<\d{1,3}>)?\[ {0,8}([TC]\d{1,8})\]/;
// syslog "Nov 22 08:20:01 host kernel: " or ISO "2025-11-22T08:20:01.123+00:00 host kernel: ".
const SYSLOG = /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]?\d{0,9}(?:Z|[+-]\d\d:?\d\d)?) \S{1,64} kernel: /;

/** Splits a cleaned line into its printk/syslog prefix fields and the body. */
export function parsePrintkPrefix(text: string): PrintkPrefix {
  let rest = text;
  const c0 = text.charCodeAt(0);
  if ((c0 >= 0x41 && c0 <= 0x5a) || (c0 >= 0x30 && c0 <= 0x39)) {
    const s = SYSLOG.exec(text);
    if (s) rest = text.slice(s[0].length);
  }
  let time: number | null = null;
  let caller: string | null = null;
  const c = rest.charCodeAt(0);
  if (c === 0x5b /* [ */ || c === 0x3c /* < */) {
    const m = PRINTK.exec(rest);
    if (m) {
      time = Number(`${m[1]}.${m[2]}`);
      caller = m[3] ?? null;
      rest = rest.slice(m[0].length);
    } else {
      const k = CALLER_ONLY.exec(rest);
      if (k) {
        caller = k[1];
        rest = rest.slice(k[0].length);
      }
    }
  }
  return { body: trimStart(rest), time, caller };
}

/** True when the line starts with a printk timestamp or caller id. */
export function hasPrintkPrefix(text: string): boolean {
  const c = text.charCodeAt(0);
  return (c === 0x5b || c === 0x3c) && (PRINTK.test(text) || CALLER_ONLY.test(text));
}

function trimStart(s: string): string {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09)) i++;
  return i === 0 ? s : s.slice(i);
}

const SPACE = 0x20;
const TAB = 0x09;

/**
 * Byte offset where the message starts, for the hot path: skips what
 * `parsePrintkPrefix` skips (leniently: a wrong guess only costs a slow-path
 * look at the line, never a miss, because callers also try the line start).
 */
export function bodyOffset(b: Uint8Array, start: number, end: number): number {
  let p = start;
  const c0 = b[p];
  if (isSyslogShape(b, p, end)) {
    const k = findKernelColon(b, p, Math.min(end, p + 120));
    if (k > 0) p = k;
  } else if (c0 === 0x3c /* < */) {
    let q = p + 1;
    while (q < end && q < p + 5 && b[q] !== 0x3e) q++;
    if (b[q] === 0x3e) p = q + 1;
  }
  if (b[p] === 0x5b && b[p + 6] === 0x2e && b[p + 13] === 0x5d && b[p + 5] >= 0x30 && b[p + 5] <= 0x39) {
    // The common case first: "[%5lu.%06lu]" is 14 bytes.
    p = skipCaller(b, p + 14, end);
  } else if (b[p] === 0x5b /* [ */) {
    let q = p + 1;
    const lim = Math.min(end, p + 26);
    while (q < lim && b[q] === SPACE) q++;
    const digits = q;
    while (q < lim && ((b[q] >= 0x30 && b[q] <= 0x39) || b[q] === 0x2e || b[q] === 0x2c)) q++;
    if (q > digits && b[q] === 0x5d /* ] */) {
      p = skipCaller(b, q + 1, end);
    } else if (b[q] === 0x54 || b[q] === 0x43) {
      while (q < lim && b[q] !== 0x5d) q++;
      if (b[q] === 0x5d) p = q + 1;
    }
  }
  while (p < end && (b[p] === SPACE || b[p] === TAB)) p++;
  return p;
}

/** Skips a caller id "[ T1]" or " [ C1]" at `p`, if there is one. */
function skipCaller(b: Uint8Array, p: number, end: number): number {
  let r = p;
  if (b[r] === SPACE && b[r + 1] === 0x5b) r++;
  if (b[r] !== 0x5b) return p;
  let s = r + 1;
  while (s < end && s < r + 10 && b[s] === SPACE) s++;
  if (b[s] !== 0x54 && b[s] !== 0x43) return p;
  while (s < end && s < r + 20 && b[s] !== 0x5d) s++;
  return b[s] === 0x5d ? s + 1 : p;
}

function isSyslogShape(b: Uint8Array, p: number, end: number): boolean {
  if (end - p < 20) return false;
  const c = b[p];
  if (c >= 0x41 && c <= 0x5a) return b[p + 3] === SPACE && b[p + 6] === SPACE && b[p + 9] === 0x3a;
  if (c >= 0x30 && c <= 0x39) return b[p + 4] === 0x2d && b[p + 7] === 0x2d && b[p + 10] === 0x54;
  return false;
}

// " kernel: " as bytes.
const KERNEL_COLON = [0x20, 0x6b, 0x65, 0x72, 0x6e, 0x65, 0x6c, 0x3a, 0x20];

function findKernelColon(b: Uint8Array, p: number, lim: number): number {
  outer: for (let i = p + 15; i + KERNEL_COLON.length <= lim; i++) {
    for (let j = 0; j < KERNEL_COLON.length; j++) if (b[i + j] !== KERNEL_COLON[j]) continue outer;
    return i + KERNEL_COLON.length;
  }
  return -1;
}
