const LF = 0x0a;
const CR = 0x0d;

/**
 * Receives each assembled line as a byte range. `bytes` is only valid during
 * the call (it may be the caller's chunk or the assembler's carry buffer).
 */
export type LineRangeSink = (
  bytes: Uint8Array,
  start: number,
  end: number,
  seq: number,
  arrival: number,
  overlong: boolean,
) => void;

export interface LineAssemblerOptions {
  /** Lines longer than this many bytes are split (memory stays bounded). Default 4096. */
  maxLineBytes?: number;
}

/**
 * Cuts a byte stream into lines without decoding it: LF, CRLF, a lone CR and
 * LF-CR ("\n\r", some firmware) each end one line. Works on bytes so that a
 * UTF-8 sequence split across chunks is decoded only once the line is whole,
 * and so that uninteresting lines never become strings (see ConsoleAnalyzer).
 */
export class LineAssembler {
  private readonly max: number;
  private readonly carry: Uint8Array;
  private carryLen = 0;
  private carryOverlong = false;
  private carryArrival = 0;
  /** The previous line ended at a CR: CRs and one LF that follow belong to it. */
  private swallowLF = false;
  private seq = 0;

  constructor(
    private readonly sink: LineRangeSink,
    options: LineAssemblerOptions = {},
  ) {
    this.max = Math.max(16, options.maxLineBytes ?? 4096);
    this.carry = new Uint8Array(this.max);
  }

  /** Number of lines emitted so far. */
  get lines(): number {
    return this.seq;
  }

  /** The bytes of the line not yet terminated (e.g. a login prompt). */
  pending(): Uint8Array {
    return this.carry.subarray(0, this.carryLen);
  }

  push(chunk: Uint8Array, arrival = 0): void {
    const n = chunk.length;
    const sink = this.sink;
    const max = this.max;
    let i = 0;
    // Buffer.indexOf (memchr) when the caller hands us Node Buffers; the
    // TypedArray builtin otherwise. Cache the next CR: most logs have none.
    let nextCR = chunk.indexOf(CR, 0);
    while (i < n) {
      if (this.swallowLF) {
        const b = chunk[i];
        if (b === CR) {
          i++;
          continue;
        }
        this.swallowLF = false;
        if (b === LF) {
          i++;
          continue;
        }
      }
      let end = chunk.indexOf(LF, i);
      if (end < 0) end = n;
      let viaCR = false;
      if (nextCR >= 0) {
        if (nextCR < i) nextCR = chunk.indexOf(CR, i);
        if (nextCR >= 0 && nextCR < end) {
          // A CR at the start of a line is the second half of "\n\r".
          if (nextCR === i && this.carryLen === 0) {
            i++;
            continue;
          }
          end = nextCR;
          viaCR = true;
        }
      }
      if (end === n) {
        this.append(chunk, i, n, arrival);
        return;
      }
      if (this.carryLen > 0) {
        this.append(chunk, i, end, arrival);
        this.flushCarry();
      } else if (end - i <= max) {
        sink(chunk, i, end, ++this.seq, arrival, false);
      } else {
        this.emit(chunk, i, end, arrival, false);
      }
      i = end + 1;
      if (viaCR) this.swallowLF = true;
    }
  }

  /** Emits the unterminated last line, if any (end of file or of capture). */
  end(): void {
    if (this.carryLen > 0) this.flushCarry();
    this.swallowLF = false;
  }

  private flushCarry(): void {
    const overlong = this.carryOverlong;
    const len = this.carryLen;
    this.carryLen = 0;
    this.carryOverlong = false;
    this.emit(this.carry, 0, len, this.carryArrival, overlong);
  }

  private append(src: Uint8Array, start: number, end: number, arrival: number): void {
    if (this.carryLen === 0) this.carryArrival = arrival;
    while (start < end) {
      if (this.carryLen === this.max) this.spillCarry();
      const take = Math.min(this.max - this.carryLen, end - start);
      this.carry.set(src.subarray(start, start + take), this.carryLen);
      this.carryLen += take;
      start += take;
    }
  }

  /** The carry is full and more bytes of the same line follow: emit a piece. */
  private spillCarry(): void {
    const cut = utf8Boundary(this.carry, 0, this.max);
    this.sink(this.carry, 0, cut, ++this.seq, this.carryArrival, true);
    this.carry.copyWithin(0, cut, this.max);
    this.carryLen = this.max - cut;
    this.carryOverlong = true;
  }

  private emit(src: Uint8Array, start: number, end: number, arrival: number, overlong: boolean): void {
    while (end - start > this.max) {
      const cut = utf8Boundary(src, start, start + this.max);
      this.sink(src, start, cut, ++this.seq, arrival, true);
      start = cut;
      overlong = true;
    }
    this.sink(src, start, end, ++this.seq, arrival, overlong);
  }
}

/** Moves a cut point back so that it does not split a UTF-8 sequence. */
function utf8Boundary(bytes: Uint8Array, start: number, cut: number): number {
  let k = cut - 1;
  while (k > start && k > cut - 4 && (bytes[k] & 0xc0) === 0x80) k--;
  const lead = bytes[k];
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return k > start && k + needed > cut ? k : cut;
}
