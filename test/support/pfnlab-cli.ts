import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI (npm run build first), run as a user would: a subprocess with only PATH and `env`. */
export const PFNLAB_BIN = join(__dirname, '../../bin/pfnlab');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Starts `pfnlab args...`; `stdout()` reads what it printed so far (for commands that follow something live). */
export function startPfnlab(args: string[], env: Record<string, string> = {}, stdin = ''): { p: ChildProcess; result: Promise<CliResult>; stdout: () => string } {
  const p = spawn(process.execPath, [PFNLAB_BIN, ...args], { env: { PATH: process.env.PATH!, ...env } });
  let stdout = '';
  let stderr = '';
  p.stdout!.on('data', (d) => (stdout += d));
  p.stderr!.on('data', (d) => (stderr += d));
  p.stdin!.end(stdin);
  const result = new Promise<CliResult>((resolve) => p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  return { p, result, stdout: () => stdout };
}

/** Runs `pfnlab args...` to its end. */
export function pfnlab(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<CliResult> {
  return startPfnlab(args, env, stdin).result;
}
