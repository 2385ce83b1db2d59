import { CliError, ExitCode } from './cli-error';
import { loadCliConfig, type CliConfig } from './cli-config';

interface Problem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** Formats a 400's problem list the way compilers do: `path (line:col): message`. */
export function formatProblems(problems: Problem[]): string {
  return problems
    .map((p) => `  ${p.path || '(document)'}${p.line ? ` (line ${p.line}${p.column ? `:${p.column}` : ''})` : ''}: ${p.message}`)
    .join('\n');
}

/** A thin client of the pfnlab REST API that turns failures into CliErrors saying what to do next. */
export class ApiClient {
  constructor(private readonly config: CliConfig = loadCliConfig()) {}

  get server(): string {
    return this.config.server.replace(/\/$/, '');
  }

  /** The bearer token, for the few calls (live streams) that do not go through request(). */
  get token(): string {
    if (!this.config.token) throw new CliError('not logged in', ExitCode.failure, 'run `pfnlab login --server URL --token TOKEN`');
    return this.config.token;
  }

  async request<T>(method: string, path: string, body?: { json?: unknown; text?: string; contentType?: string }, opts: { auth?: boolean } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.auth !== false) {
      if (!this.config.token) throw new CliError('not logged in', ExitCode.failure, 'run `pfnlab login --server URL --token TOKEN` (an admin gives you a token)');
      headers.authorization = `Bearer ${this.config.token}`;
    }
    let payload: string | undefined;
    if (body?.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body?.text !== undefined) {
      headers['content-type'] = body.contentType ?? 'application/yaml';
      payload = body.text;
    }
    let res: Response;
    try {
      res = await fetch(this.config.server.replace(/\/$/, '') + path, { method, headers, body: payload, signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      throw new CliError(`cannot reach the pfnlab server at ${this.config.server} (${cause})`, ExitCode.failure, 'is it running? Start it with `npm run demo`, or point PFNLAB_SERVER / `pfnlab login --server` at the right URL');
    }
    const text = await res.text();
    let data: unknown = text;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      /* plain text body */
    }
    if (res.ok) return data as T;
    const msg = (data as { message?: unknown })?.message;
    const message = typeof msg === 'string' ? msg : Array.isArray(msg) ? msg.join('; ') : `HTTP ${res.status}`;
    switch (res.status) {
      case 401:
        throw new CliError(`the server refused the token: ${message}`, ExitCode.failure, 'run `pfnlab login` with a valid token');
      case 403:
        throw new CliError(`not allowed: ${message}`, ExitCode.failure, 'ask an admin for a token with a higher role');
      case 400: {
        const problems = (data as { problems?: Problem[] })?.problems;
        throw new CliError(problems?.length ? `${message}\n${formatProblems(problems)}` : message, ExitCode.failure);
      }
      case 503:
        throw new CliError(`the server cannot serve this now: ${message}`, ExitCode.failure, 'retry in a moment; `curl SERVER/readyz` shows which dependency is down');
      default:
        throw new CliError(`${method} ${path} failed: ${message} (HTTP ${res.status})`, ExitCode.failure);
    }
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
}
