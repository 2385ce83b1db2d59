/*
 * Small shared bits of the end-to-end benchmarks: flags, a wall clock with
 * sub-millisecond resolution that every thread of the process agrees on,
 * and order statistics.
 */

/** Milliseconds since the epoch, sub-millisecond; comparable across worker threads and with Date.now(). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const argv = process.argv.slice(2);

export function flag(name: string, dflt: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
}

export function numFlag(name: string, dflt: number): number {
  const v = Number(flag(name, String(dflt)));
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

/** A number flag that may be 0 (a count, a pause, a fraction). */
export function nonNegativeFlag(name: string, dflt: number): number {
  const v = Number(flag(name, String(dflt)));
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a number >= 0, got ${flag(name, '')}`);
  return v;
}

export function listFlag(name: string, dflt: string[]): string[] {
  const v = flag(name, '');
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : dflt;
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Distribution {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function distribution(xs: number[]): Distribution {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)), max: round(s[s.length - 1] ?? NaN), mean: round(mean) };
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${msg}\n`);
}

/** Runs a benchmark's main: exit 0 when it finished, 1 with the stack when it failed. */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: Error) => {
      process.stderr.write(`${e.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
