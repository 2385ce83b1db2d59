/**
 * Throughput of `pfnlab log analyze` against `grep -cE <crash headers>` on
 * the same >= 1 GiB console log, one core each, in one run; plus peak RSS on
 * a 1/8 and the full log to show that memory stays flat.
 *
 *   npm run build && node dist/bench/console/analyze-throughput.js [--gib N] [--keep]
 *
 * Needs taskset and /usr/bin/time (util-linux, time); without them it still
 * runs, unpinned and without RSS figures.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildConsoleLog } from './console-log-builder';

/** The crash-header pattern list grep gets (what a person would grep a console for). */
export const GREP_PATTERNS = [
  'BUG:', 'WARNING:', 'Oops', 'Unable to handle kernel', 'general protection fault', 'Kernel panic - not syncing',
  'kernel BUG at', 'blocked for more than', 'rcu: INFO:', 'soft lockup', 'hard LOCKUP', 'list_(add|del) corruption',
  'Bad page state', 'UBSAN:', 'KASAN:', 'KFENCE:', 'KMSAN:', 'refcount_t:', 'divide error:', 'invalid opcode:',
  'double fault', 'illegal operation:', 'Internal error:', 'cut here', 'stack segment:', 'Vector: 700',
];

interface Measured {
  seconds: number;
  /** user + system CPU seconds (robust when the machine is shared). */
  cpuSeconds: number | null;
  rssMiB: number | null;
  stdout: string;
  status: number | null;
}

function findRepoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'pfnlab') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the pfnlab repository root');
    dir = up;
  }
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function run(argv: string[], pin: boolean, timeBin: boolean): Measured {
  const statsFile = path.join(os.tmpdir(), `pfnlab-bench-time-${process.pid}`);
  let cmd = argv;
  if (pin) cmd = ['taskset', '-c', '0', ...cmd];
  if (timeBin) cmd = ['/usr/bin/time', '-o', statsFile, '-f', '%e %M %U %S', ...cmd];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { maxBuffer: 256 << 20, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  let rssMiB: number | null = null;
  let cpuSeconds: number | null = null;
  if (timeBin && fs.existsSync(statsFile)) {
    // The last line holds the figures (a non-zero exit adds a line before it).
    const [, kb, user, sys] = fs.readFileSync(statsFile, 'utf8').trim().split('\n').pop()!.split(/\s+/);
    rssMiB = Number(kb) / 1024;
    cpuSeconds = Number(user) + Number(sys);
    fs.rmSync(statsFile, { force: true });
  }
  if (r.error) throw r.error;
  return { seconds: wall, cpuSeconds, rssMiB, stdout: r.stdout, status: r.status };
}

function copyPrefix(from: string, to: string, bytes: number): void {
  const src = fs.openSync(from, 'r');
  const dst = fs.openSync(to, 'w');
  const buf = Buffer.alloc(1 << 20);
  for (let done = 0; done < bytes; ) {
    const n = fs.readSync(src, buf, 0, Math.min(buf.length, bytes - done), done);
    if (n <= 0) break;
    fs.writeSync(dst, buf, 0, n);
    done += n;
  }
  fs.closeSync(src);
  fs.closeSync(dst);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  const args = process.argv.slice(2);
  const gib = Number(args[args.indexOf('--gib') + 1]) || 1;
  const keep = args.includes('--keep');
  const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
  const root = findRepoRoot();
  const fixtures = path.resolve(root, '..', 'shared', 'fixtures', 'console', 'lkml');
  const cli = path.join(root, 'bin', 'pfnlab');
  const pin = have('taskset');
  const timeBin = fs.existsSync('/usr/bin/time');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-bench-'));
  const big = path.join(dir, 'console.log');
  const small = path.join(dir, 'console-eighth.log');
  try {
    const target = Math.ceil(gib * 1024 ** 3) + 1024;
    const t0 = Date.now();
    const stats = buildConsoleLog(big, fixtures, target);
    console.log(
      `log: ${(stats.bytes / 1024 ** 3).toFixed(2)} GiB, ${stats.lines} lines, ${stats.boots} boots, ` +
        `${stats.crashes} crash reports from ${fixtures} (built in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
    copyPrefix(big, small, Math.floor(stats.bytes / 8));
    // Warm the page cache so that both tools read from memory.
    run(['sh', '-c', 'cat "$0" > /dev/null', big], false, false);

    const grepArgv = ['grep', '-cE', GREP_PATTERNS.join('|'), big];
    const analyzeArgv = [process.execPath, cli, 'log', 'analyze', '--json', big];
    const grepRuns: Measured[] = [];
    const analyzeRuns: Measured[] = [];
    for (let i = 0; i < rounds; i++) {
      grepRuns.push(run(grepArgv, pin, timeBin));
      analyzeRuns.push(run(analyzeArgv, pin, timeBin));
    }
    const smallRun = run([process.execPath, cli, 'log', 'analyze', '--json', small], pin, timeBin);

    const grepS = median(grepRuns.map((r) => r.seconds));
    const anaS = median(analyzeRuns.map((r) => r.seconds));
    const mib = stats.bytes / 1024 ** 2;
    const result = JSON.parse(analyzeRuns[0].stdout.trim().split('\n')[0]);
    const found = result.crashes.reduce((n: number, c: { count: number }) => n + c.count, 0);
    console.log(`grep -cE (${GREP_PATTERNS.length} patterns): ${grepS.toFixed(2)} s, ${(mib / grepS).toFixed(0)} MiB/s, ${grepRuns[0].stdout.trim()} matching lines, peak RSS ${fmt(grepRuns[0].rssMiB)}`);
    console.log(`pfnlab log analyze --json: ${anaS.toFixed(2)} s, ${(mib / anaS).toFixed(0)} MiB/s, exit ${analyzeRuns[0].status}, ${result.crashes.length} distinct crashes (${found} reports), ${result.milestones.length} milestones, peak RSS ${fmt(median(analyzeRuns.map((r) => r.rssMiB ?? 0)))}`);
    console.log(`crash reports spliced in: ${stats.crashes}, counted by analyze: ${found}`);
    console.log(`memory flat: peak RSS ${fmt(smallRun.rssMiB)} on the first 1/8 of the log vs ${fmt(analyzeRuns[0].rssMiB)} on all of it`);
    console.log(`ratio (analyze throughput / grep throughput): ${((grepS / anaS) * 100).toFixed(0)}% by wall time (target >= 50%)${pin ? ', both pinned to CPU 0' : ', not pinned (no taskset)'}, median of ${rounds} runs`);
    if (timeBin) {
      const grepCpu = median(grepRuns.map((r) => r.cpuSeconds ?? 0));
      const anaCpu = median(analyzeRuns.map((r) => r.cpuSeconds ?? 0));
      console.log(`ratio by CPU time (user+sys): ${((grepCpu / anaCpu) * 100).toFixed(0)}% (grep ${grepCpu.toFixed(2)} s, analyze ${anaCpu.toFixed(2)} s, node start-up included)`);
    }
    for (const c of result.crashes) console.log(`  ${String(c.count).padStart(6)} x ${c.title}`);
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

function fmt(mib: number | null): string {
  return mib === null ? 'n/a' : `${mib.toFixed(0)} MiB`;
}

if (require.main === module) main();
