/**
 * A set of literal line-start prefixes, checked on raw bytes without
 * decoding: a 64 Ki-entry table on the first two bytes rejects almost every
 * line with one lookup, the few survivors are compared byte by byte. This is
 * the cheap prefilter that lets the analyzer skip most lines of a big log.
 */
export class PrefixIndex {
  private readonly firstTwo = new Uint8Array(65536);
  private readonly buckets = new Map<number, Uint8Array[]>();
  private readonly all = new Set<string>();

  constructor(prefixes: Iterable<string> = []) {
    for (const p of prefixes) this.add(p);
  }

  add(prefix: string): void {
    // Byte and string matching compare char codes to bytes: ASCII only.
    if (prefix.length < 2 || !/^[\x20-\x7e]+$/.test(prefix)) {
      throw new Error(`prefix must be 2+ printable ASCII characters: ${JSON.stringify(prefix)}`);
    }
    if (this.all.has(prefix)) return;
    const bytes = new TextEncoder().encode(prefix);
    this.all.add(prefix);
    const key = (bytes[0] << 8) | bytes[1];
    this.firstTwo[key] = 1;
    const list = this.buckets.get(key) ?? [];
    list.push(bytes);
    this.buckets.set(key, list);
  }

  get size(): number {
    return this.all.size;
  }

  /** Does any prefix start at `p` in `b` (within `end`)? */
  matchesBytes(b: Uint8Array, p: number, end: number): boolean {
    if (end - p < 2) return false;
    const key = (b[p] << 8) | b[p + 1];
    if (this.firstTwo[key] === 0) return false;
    const list = this.buckets.get(key)!;
    outer: for (const pre of list) {
      if (p + pre.length > end) continue;
      for (let j = 2; j < pre.length; j++) if (b[p + j] !== pre[j]) continue outer;
      return true;
    }
    return false;
  }

  /** String form of the same test, for lines already decoded. */
  matchesString(s: string): boolean {
    if (s.length < 2) return false;
    const c0 = s.charCodeAt(0);
    const c1 = s.charCodeAt(1);
    if (c0 > 0xff || c1 > 0xff || this.firstTwo[(c0 << 8) | c1] === 0) return false;
    for (const pre of this.buckets.get((c0 << 8) | c1)!) {
      if (startsWithBytes(s, pre)) return true;
    }
    return false;
  }
}

function startsWithBytes(s: string, pre: Uint8Array): boolean {
  if (s.length < pre.length) return false;
  for (let j = 0; j < pre.length; j++) if (s.charCodeAt(j) !== pre[j]) return false;
  return true;
}
