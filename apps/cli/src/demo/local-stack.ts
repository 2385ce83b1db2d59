import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, ExitCode } from '../cli-error';

/** The repository checkout the CLI runs from (bin/pfnlab -> dist/apps/cli/src/...). */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'apps', 'server'))) return dir;
    dir = join(dir, '..');
  }
  throw new CliError('cannot find the pfnlab checkout next to the CLI', ExitCode.usage);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a long-lived pfnlab process (server, agent) in the background with
 * its log in the state dir, unless the one recorded in its pid file runs.
 */
export function startDaemon(stateDir: string, name: string, script: string, env: NodeJS.ProcessEnv): { pid: number; log: string; started: boolean } {
  mkdirSync(stateDir, { recursive: true });
  const pidFile = join(stateDir, `${name}.pid`);
  const log = join(stateDir, `${name}.log`);
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid && isAlive(pid)) return { pid, log, started: false };
  }
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [script], { env, detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  return { pid: child.pid!, log, started: true };
}

export function stopDaemon(stateDir: string, name: string): boolean {
  const pidFile = join(stateDir, `${name}.pid`);
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  if (!pid || !isAlive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  return true;
}

/** Reads KEY=VALUE lines (the .env the setup wrote) without overriding the real environment. */
export function loadDotEnv(file: string): Record<string, string> {
  if (!existsSync(file)) throw new CliError(`${file} is missing`, ExitCode.usage, 'run `npm run demo` (or scripts/setup.sh) first; it writes it');
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].trim();
  }
  return out;
}

export async function waitFor(what: string, check: () => Promise<boolean>, ms: number, hint: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new CliError(`${what} did not come up within ${Math.round(ms / 1000)} s`, ExitCode.failure, hint);
}

/** Runs the server's admin command (bootstrap-admin) and returns its stdout. */
export function serverAdmin(root: string, env: NodeJS.ProcessEnv, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'dist/apps/server/src/admin.js'), ...args], { env, encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
