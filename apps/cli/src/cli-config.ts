import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, ExitCode } from './cli-error';

/** Where the CLI keeps the server URL and token (mode 0600). PFNLAB_SERVER / PFNLAB_TOKEN override it. */
export function configPath(env = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'pfnlab', 'config.json');
}

export interface CliConfig {
  server: string;
  token?: string;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export function loadCliConfig(env = process.env): CliConfig {
  let stored: Partial<CliConfig> = {};
  try {
    stored = JSON.parse(readFileSync(configPath(env), 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CliError(`cannot read ${configPath(env)}: ${(e as Error).message}`, ExitCode.usage, 'fix or delete it, then run `pfnlab login`');
    }
  }
  return { server: env.PFNLAB_SERVER || stored.server || DEFAULT_SERVER, token: env.PFNLAB_TOKEN || stored.token };
}

export function saveCliConfig(config: CliConfig, env = process.env): string {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
