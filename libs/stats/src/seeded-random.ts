/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through
 * splitmix32), so that a bootstrap interval or a simulation gives the same
 * numbers on every machine and every run with the same seed. Math.random()
 * cannot be seeded, and a verdict that changes between two invocations on
 * the same files would not be evidence.
 *
 * Not for cryptography.
 */

// Module-level aliases, not `Math.x` at each call: inside Jest's sandbox
// every lookup of the global `Math` costs about half a microsecond, a hundred
// times the arithmetic, and the A/A simulation test draws millions of numbers.
const { imul, floor, log, sqrt, cos, sin, PI } = Math;

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The second normal deviate of the last Box-Muller pair. */
  private spareNormal: number | undefined;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    // splitmix32 spreads any seed (0, 1, 2...) over the whole 128-bit state;
    // the high bits of seeds above 2^32 are folded in rather than dropped.
    let s = (seed >>> 0) ^ floor(seed / 2 ** 32);
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = imul(z ^ (z >>> 16), 0x85ebca6b);
      z = imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // the one state xoshiro cannot leave
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const result = imul(rotl(imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Uniform integer in [0, n). The bias of scaling 32 bits to n is below
   * n / 2^32, under 3e-6 for the sample sizes this library accepts.
   */
  int(n: number): number {
    return floor((this.nextUint32() / 4294967296) * n);
  }

  /** A standard normal deviate (Box-Muller, both halves of each pair used). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const u = 1 - this.uniform(); // (0, 1]: log(0) would be -Infinity
    const v = this.uniform();
    const r = sqrt(-2 * log(u));
    this.spareNormal = r * sin(2 * PI * v);
    return r * cos(2 * PI * v);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
