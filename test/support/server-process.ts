import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/*
 * A real server as its own process, from dist (build first): what several
 * replicas against one PostgreSQL and one Redis look like in production.
 * Used by test/api/scheduler-replicas.test.ts and bench/scheduling/scheduler-replicas.ts.
 */

export interface ServerProcessOptions {
  /** Names the process in its log lines and errors. */
  name: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Every replica of one deployment needs the same key. */
  secretsKey: string;
  roles?: string;
  logLevel?: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /** Called with every line the server writes (stdout and stderr). */
  onLine?: (line: string) => void;
}

export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Every line written so far. */
  lines: string[];
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The repository root, from the source tree (jest) or from dist/. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.build.json')))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no repository root above ${__dirname}`);
    dir = up;
  }
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `node dist/apps/server/src/main.js` and resolves once it answers /healthz. */
export async function startServerProcess(o: ServerProcessOptions): Promise<ServerProcess> {
  const main = join(repoRoot(), 'dist/apps/server/src/main.js');
  if (!existsSync(main)) throw new Error(`${main} does not exist: run npm run build first`);
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NO_COLOR: '1',
      DATABASE_URL: o.databaseUrl,
      REDIS_URL: o.redisUrl,
      PFNLAB_REDIS_PREFIX: o.redisPrefix,
      PFNLAB_SECRETS_KEY: o.secretsKey,
      PFNLAB_SERVER_ROLES: o.roles ?? 'api,workers',
      LOG_LEVEL: o.logLevel ?? 'log',
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  for (const stream of [proc.stdout!, proc.stderr!]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        o.onLine?.(line);
      }
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = async (graceMs = 10_000) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`server ${o.name} exited during start-up:\n${lines.slice(-20).join('\n')}`);
    if (Date.now() > deadline) {
      await stop(1000);
      throw new Error(`server ${o.name} did not answer ${url}/healthz within 60 s:\n${lines.slice(-20).join('\n')}`);
    }
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { name: o.name, url, pid: proc.pid!, lines, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
}
