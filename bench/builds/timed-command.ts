/*
 * Runs one command of the build benchmark and times it: wall time from the
 * benchmark's clock, CPU time (user + system of the command and every
 * process it waited for) from /usr/bin/time, and each stderr line with the
 * second it arrived at (pfnlab build prints its phases there).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TimedLine {
  /** Seconds since the command started. */
  at: number;
  line: string;
}

export interface TimedRun {
  code: number;
  wall: number;
  /** User + system CPU seconds; null without /usr/bin/time. */
  cpu: number | null;
  stdout: string;
  stderrLines: TimedLine[];
}

const TIME_BIN = '/usr/bin/time';

export function timed(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TimedRun> {
  const haveTime = fs.existsSync(TIME_BIN);
  const stats = path.join(os.tmpdir(), `pfnlab-bench-time-${process.pid}-${Date.now()}`);
  const cmd = haveTime ? [TIME_BIN, '-o', stats, '-f', '%e %U %S', ...argv] : argv;
  const started = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - started) / 1e9;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let partial = '';
    const stderrLines: TimedLine[] = [];
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout = (stdout + c).slice(-1 << 20)));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      const at = since();
      const lines = (partial + c).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) stderrLines.push({ at, line });
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = since();
      if (partial) stderrLines.push({ at: wall, line: partial });
      let cpu: number | null = null;
      if (haveTime && fs.existsSync(stats)) {
        // The last line has the figures (a non-zero exit puts a line before it).
        const [, user, sys] = fs.readFileSync(stats, 'utf8').trim().split('\n').pop()!.split(/\s+/);
        cpu = Number(user) + Number(sys);
        fs.rmSync(stats, { force: true });
      }
      resolve({ code: code ?? -1, wall, cpu, stdout, stderrLines });
    });
  });
}
