import { spawn, SpawnOptions } from 'node:child_process';

/** An error of the virtual lab that the CLI shows as one line plus a hint. */
export class VlabError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  timeoutMs?: number;
  /** Throw a VlabError when the exit code is not 0 (default true). */
  check?: boolean;
}

/** Runs argv[0] with argv[1..] (never through a shell) and collects its output. */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const so: SpawnOptions = { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] };
    const child = spawn(argv[0], argv.slice(1), so);
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new VlabError(`cannot run ${argv[0]}: ${err.message}`, `install the host packages: deploy/vlab/install-host-deps.sh`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const res = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (opts.check !== false && res.code !== 0) {
        const tail = (stderr || stdout).trim().split('\n').slice(-3).join(' | ');
        reject(new VlabError(`${argv.slice(0, 4).join(' ')}${argv.length > 4 ? ' ...' : ''} failed (exit ${res.code}): ${tail}`));
      } else resolve(res);
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    else child.stdin!.end();
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
