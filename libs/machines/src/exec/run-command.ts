import { execFile } from 'node:child_process';

export interface CommandResult {
  /** Exit code, or null if the process was killed (timeout) or never started. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started at all (e.g. ENOENT: not installed). */
  spawnError?: string;
}

export interface CommandOptions {
  timeoutMs: number;
  /** Extra environment for the child (secrets go here, never on argv). */
  env?: Record<string, string>;
}

/**
 * Runs argv[0] with argv[1..] through execFile: no shell ever sees the
 * arguments. Never rejects; the caller classifies the result.
 */
export function runCommand(argv: string[], opts: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      argv[0],
      argv.slice(1),
      { timeout: opts.timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, ...opts.env }, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr, timedOut: false });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string; signal?: string };
        if (typeof e.code === 'string') return resolve({ code: null, stdout, stderr, timedOut: false, spawnError: e.code });
        const timedOut = !!e.killed && e.signal === 'SIGKILL';
        resolve({ code: typeof e.code === 'number' ? e.code : null, stdout, stderr, timedOut });
      },
    );
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
