import type { Command } from 'commander';
import { ApiClient } from '../api-client';
import { CliError, ExitCode } from '../cli-error';
import { age, printTable } from '../output';
import { buildDuration, clip, formatBuild, formatBytes, formatProgress, type BuildArtifacts, type BuildDetail, type BuildSummary } from './builds-format';
import { watchBuild } from './builds-watch';

/*
 * `pfnlab builds`: kernel builds the lab's agents made for jobs (the server's
 * record of them). `pfnlab build` (singular, build.ts) is the local builder.
 */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STATUSES = ['queued', 'running', 'PASS', 'FAIL', 'ERROR'];

function uuidArg(id: string, what: 'build' | 'job' | 'run', listWith: string): string {
  if (!UUID_RE.test(id)) throw new CliError(`"${id}" is not a ${what} id (a UUID, as \`${listWith}\` shows)`, ExitCode.usage);
  return id;
}

const buildIdArg = (id: string) => uuidArg(id, 'build', 'pfnlab builds ls');

/** GET a build (or a part of it); an unknown id says so and what to run next. */
async function getBuild<T>(api: ApiClient, id: string, part = ''): Promise<T> {
  try {
    return await api.get<T>(`/api/builds/${id}${part}`);
  } catch (e) {
    throw unknownBuild(e, id);
  }
}

function unknownBuild(e: unknown, id: string): unknown {
  if (e instanceof CliError && e.message.endsWith(`no build ${id} (HTTP 404)`)) {
    return new CliError(`no build ${id}`, ExitCode.failure, "`pfnlab builds ls` lists builds (`--job JOB_ID` a job's builds)");
  }
  return e;
}

/** The log is plain text, not JSON: fetched directly; failures go through ApiClient for its messages. */
async function getLog(api: ApiClient, id: string, tail?: number): Promise<string> {
  const path = `/api/builds/${id}/log${tail ? `?tail=${tail}` : ''}`;
  let res: Response | undefined;
  try {
    res = await fetch(api.server + path, { headers: { authorization: `Bearer ${api.token}`, accept: 'text/plain' }, signal: AbortSignal.timeout(60_000) });
  } catch {
    res = undefined;
  }
  if (res?.ok) return res.text();
  if (res?.status === 409) {
    // Still running: the server says so (and how to follow it).
    const body = (await res.json().catch(() => ({}))) as { message?: unknown };
    throw new CliError(typeof body.message === 'string' ? body.message : `build ${id} has no log yet`, ExitCode.failure);
  }
  // Not OK (or unreachable): the same request through ApiClient turns the answer into its usual error.
  try {
    await api.get(path);
  } catch (e) {
    throw unknownBuild(e, id);
  }
  throw new CliError(`GET ${path} failed (HTTP ${res?.status ?? '?'})`, ExitCode.failure);
}

function positiveInt(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${what} must be a positive whole number, not "${v}"`, ExitCode.usage);
  return n;
}

export function registerBuilds(program: Command): void {
  const builds = program.command('builds').description("kernel builds the lab made for jobs: list, show, log, artifacts, watch (`pfnlab build` builds locally)");

  builds
    .command('ls')
    .description('list builds, newest first')
    .option('--status <status>', STATUSES.join(' | '))
    .option('--arch <arch>', 'x86_64 | arm64 | s390x | ppc64le')
    .option('--job <id>', "only this job's builds")
    .option('--run <id>', "only this run's builds")
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'machine-readable output: {items, nextCursor}')
    .action(async (opts: { status?: string; arch?: string; job?: string; run?: string; limit: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: String(positiveInt(opts.limit, '--limit')) });
      if (opts.status) {
        if (!STATUSES.includes(opts.status)) throw new CliError(`unknown status "${opts.status}"`, ExitCode.usage, `use one of ${STATUSES.join(', ')}`);
        q.set('status', opts.status);
      }
      if (opts.arch) q.set('arch', opts.arch);
      if (opts.job) q.set('job', uuidArg(opts.job, 'job', 'pfnlab jobs ls'));
      if (opts.run) q.set('run', uuidArg(opts.run, 'run', 'pfnlab jobs show JOB_ID'));
      const page = await new ApiClient().get<{ items: BuildSummary[]; nextCursor: string | null }>(`/api/builds?${q}`);
      const rows = page.items.map((b) => ({
        ID: b.id,
        STATUS: b.status,
        ARCH: b.arch,
        REF: clip(b.ref, 24),
        'TITLE / PROGRESS': clip(b.status === 'running' ? formatProgress(b.progress) || 'running' : (b.title ?? ''), 60),
        TIME: buildDuration(b),
        REUSED: b.reused ? 'yes' : '',
        STARTED: age(b.startedAt ?? b.createdAt),
      }));
      printTable(rows, ['ID', 'STATUS', 'ARCH', 'REF', 'TITLE / PROGRESS', 'TIME', 'REUSED', 'STARTED'], page, !!opts.json);
      if (!opts.json && page.nextCursor) process.stdout.write(`(more: raise --limit, or use the API's cursor)\n`);
    });

  builds
    .command('show <id>')
    .description('show a build: what was built, duration, image sizes, errors with file:line, dropped options, size delta')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const b = await getBuild<BuildDetail>(new ApiClient(), buildIdArg(id));
      process.stdout.write(opts.json ? JSON.stringify(b) + '\n' : formatBuild(b));
    });

  builds
    .command('log <id>')
    .description("print a build's log")
    .option('--tail <n>', 'only the last N lines')
    .action(async (id: string, opts: { tail?: string }) => {
      const tail = opts.tail === undefined ? undefined : positiveInt(opts.tail, '--tail');
      const text = await getLog(new ApiClient(), buildIdArg(id), tail);
      process.stdout.write(text);
    });

  builds
    .command('artifacts <id>')
    .description("list a build's files with sizes and sha256, and where they are stored")
    .option('--json', 'machine-readable output: {location, image, files: [{name, bytes, sha256}]}')
    .action(async (id: string, opts: { json?: boolean }) => {
      const a = await getBuild<BuildArtifacts>(new ApiClient(), buildIdArg(id), '/artifacts');
      if (opts.json) return void process.stdout.write(JSON.stringify(a) + '\n');
      process.stdout.write(`location  ${a.location ?? '-'}\nimage     ${a.image ?? '-'}\n`);
      if (!a.files.length) {
        process.stdout.write(a.status === 'running' || a.status === 'queued' ? `no files yet: the build is ${a.status}\n` : 'no files stored\n');
        return;
      }
      printTable(a.files.map((f) => ({ NAME: f.name, SIZE: formatBytes(f.bytes), BYTES: f.bytes, SHA256: f.sha256 })), ['NAME', 'SIZE', 'BYTES', 'SHA256'], a, false);
    });

  builds
    .command('watch <id>')
    .description('follow a build until it finishes; exit 0 on PASS, 1 on FAIL or ERROR')
    .option('--json', 'machine-readable output (one event per line)')
    .action(async (id: string, opts: { json?: boolean }) => {
      const api = new ApiClient();
      const first = await getBuild<BuildDetail>(api, buildIdArg(id));
      const done = await watchBuild(api, first, { json: opts.json, tty: !opts.json && process.stdout.isTTY });
      process.exitCode = done.status === 'PASS' ? ExitCode.ok : ExitCode.failure;
    });
}
