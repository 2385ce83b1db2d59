import { spawn } from 'node:child_process';

/**
 * Runs one program with an argv array and no shell, so refs, paths and
 * config lines from users are never interpreted. Output is captured (capped)
 * and optionally handed over line by line (make's progress).
 */

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Each line of stdout and stderr, as it arrives (interleaved as the program wrote them). */
  onLine?: (line: string) => void;
  /** Characters of output kept in the result (the tail); the rest still goes to onLine. */
  keep?: number;
  /** Stops the program and everything it started (make's compilers): SIGTERM to its process group, SIGKILL 5 s later. */
  signal?: AbortSignal;
}

export interface CommandResult {
  code: number;
  /** stdout and stderr together, the last `keep` characters. */
  output: string;
  stdout: string;
  stderr: string;
}

const DEFAULT_KEEP = 1 << 20;

export class CommandFailedError extends Error {
  constructor(readonly argv: readonly string[], readonly result: CommandResult) {
    super(`${argv.slice(0, 3).join(' ')} failed (exit ${result.code}): ${lastLines(result.output, 5)}`);
  }
}

export function runCommand(argv: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const keep = opts.keep ?? DEFAULT_KEEP;
  return new Promise((resolve) => {
    // LC_ALL=C: plain ASCII quotes and English messages, as the log analyser expects.
    const env = { ...(opts.env ?? process.env), LC_ALL: 'C' };
    // Its own process group when it can be stopped: make's children go with it.
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], shell: false, detached: Boolean(opts.signal) });
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      const group = (sig: NodeJS.Signals) => { try { if (child.pid) process.kill(-child.pid, sig); } catch { /* gone */ } };
      group('SIGTERM');
      killTimer = setTimeout(() => group('SIGKILL'), 5000);
    };
    if (opts.signal?.aborted) stop();
    else opts.signal?.addEventListener('abort', stop, { once: true });
    let output = '';
    let stdout = '';
    let stderr = '';
    const partial = { out: '', err: '' };
    const take = (which: 'out' | 'err', chunk: string) => {
      output = clip(output + chunk, keep);
      if (which === 'out') stdout = clip(stdout + chunk, keep);
      else stderr = clip(stderr + chunk, keep);
      if (!opts.onLine) return;
      const text = partial[which] + chunk;
      const lines = text.split('\n');
      partial[which] = lines.pop() ?? '';
      for (const l of lines) opts.onLine(l);
    };
    child.stdout.setEncoding('utf8').on('data', (c: string) => take('out', c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => take('err', c));
    child.on('error', (e) => resolve({ code: 127, output: `${argv[0]}: ${e.message}`, stdout, stderr: `${argv[0]}: ${e.message}` }));
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', stop);
      for (const which of ['out', 'err'] as const) if (partial[which] && opts.onLine) opts.onLine(partial[which]);
      resolve({ code: code ?? (signal ? 128 : 1), output, stdout, stderr });
    });
  });
}

/** runCommand, throwing CommandFailedError unless it exits 0. */
export async function mustRun(argv: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const r = await runCommand(argv, opts);
  if (r.code !== 0) throw new CommandFailedError(argv, r);
  return r;
}

function clip(s: string, keep: number): string {
  return s.length > keep ? s.slice(s.length - keep) : s;
}

export function lastLines(s: string, n: number): string {
  return s.trimEnd().split('\n').slice(-n).join('\n');
}
