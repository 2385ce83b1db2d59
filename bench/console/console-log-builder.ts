import * as fs from 'fs';
import * as path from 'path';
import { FIRMWARE, KERNEL_BOOT, LOGIN, RUNTIME } from './boot-noise';

/** The real crash reports the log is made of (console fixtures, not the build logs). */
export const CRASH_FRAGMENTS = [
  's390-thp-oops-1.log',
  's390-thp-list-del-corruption-1.log',
  's390-thp-bug-1.log',
  'arm64-debug-vm-pgtable-warning-1.log',
  'ppc64-debug-vm-pgtable-bug-1.log',
  'ppc64-debug-vm-pgtable-null-deref-1.log',
  's390-zone-device-warning-1.log',
];

// A printk timestamp at line start, also in its mangled "¢ 12.3!" form.
const TIMESTAMP = /^(?:\[|¢) *\d+\.\d+(?:\]|!)/;

export interface BuildStats {
  bytes: number;
  lines: number;
  boots: number;
  crashes: number;
}

/** Deterministic pseudo-random numbers (the same log on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

/**
 * Writes a console log of at least `targetBytes`: boots of the four arches,
 * each followed by a long hotplug-loop run with crash reports from
 * `fixtureDir` spliced in (one per `crashEvery` lines on average), all
 * re-timestamped on one clock so that repeats are genuine repeats.
 */
export function buildConsoleLog(
  file: string,
  fixtureDir: string,
  targetBytes: number,
  crashEvery = 4000,
  linesPerBoot = 60_000,
): BuildStats {
  const fragments = CRASH_FRAGMENTS.map((f) => fs.readFileSync(path.join(fixtureDir, f), 'utf8').trimEnd().split('\n'));
  const arches = Object.keys(KERNEL_BOOT);
  const random = rng(42);
  const fd = fs.openSync(file, 'w');
  const stats: BuildStats = { bytes: 0, lines: 0, boots: 0, crashes: 0 };
  let clock = 0;
  let buf: string[] = [];
  let bufBytes = 0;
  const stamp = () => `[${clock.toFixed(6).padStart(12)}] `;
  const put = (line: string) => {
    buf.push(line);
    bufBytes += line.length + 1;
    stats.lines++;
    if (bufBytes >= 1 << 20) flush();
  };
  const flush = () => {
    const data = Buffer.from(buf.join('\n') + '\n');
    fs.writeSync(fd, data);
    stats.bytes += data.length;
    buf = [];
    bufBytes = 0;
  };
  const num = () => String(Math.floor(random() * 100000));

  while (stats.bytes + bufBytes < targetBytes) {
    const arch = arches[stats.boots % arches.length];
    stats.boots++;
    clock = 0;
    for (const l of FIRMWARE[arch]) put(l);
    for (const l of KERNEL_BOOT[arch]) {
      clock += random() * 0.05;
      put(stamp() + l);
    }
    put(LOGIN[arch]);
    for (let i = 0; i < linesPerBoot && stats.bytes + bufBytes < targetBytes; i++) {
      clock += random() * 0.2;
      put(stamp() + RUNTIME[Math.floor(random() * RUNTIME.length)].replace(/\{n\}/g, num));
      if (random() < 1 / crashEvery) {
        stats.crashes++;
        for (const l of fragments[Math.floor(random() * fragments.length)]) {
          clock += 0.000013;
          put(TIMESTAMP.test(l) ? l.replace(TIMESTAMP, stamp().trimEnd()) : l);
        }
      }
    }
  }
  flush();
  fs.closeSync(fd);
  return stats;
}
