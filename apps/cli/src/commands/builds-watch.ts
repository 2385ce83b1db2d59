import type { ApiClient } from '../api-client';
import { CliError, ExitCode } from '../cli-error';
import { readSse } from '../sse-client';
import { errorLocation, formatDuration, formatProgress, type BuildDetail, type BuildProgressView } from './builds-format';

const FINISHED = ['PASS', 'FAIL', 'ERROR'];
/** A stream that ends without the build's end (server restart, proxy timeout) is reopened, at most this many times. */
const MAX_RECONNECTS = 30;

export interface WatchOptions {
  json?: boolean;
  out?: (s: string) => void;
  /** Rewrite one status line instead of printing each report (a terminal). */
  tty?: boolean;
}

/**
 * Follows a build through GET /api/builds/:id/events (Server-Sent Events)
 * until it finishes, printing each progress report; returns the finished
 * build. `first` is the build as just fetched (so an unknown id was already
 * reported as such).
 */
export async function watchBuild(api: ApiClient, first: BuildDetail, opts: WatchOptions = {}): Promise<BuildDetail> {
  const out = opts.out ?? ((s: string) => process.stdout.write(s));
  const stamp = () => new Date().toISOString().slice(11, 19);
  let openLine = false;
  let last = '';
  const line = (s: string) => {
    if (openLine) out('\n');
    openLine = false;
    out(s + '\n');
  };
  const progress = (p: BuildProgressView | null) => {
    if (!p) return;
    const text = formatProgress(p);
    if (text === last) return;
    last = text;
    if (opts.json) return out(JSON.stringify({ event: 'progress', id: first.id, ...p }) + '\n');
    if (opts.tty) {
      out(`\r\x1b[K[${stamp()}] ${text}`);
      openLine = true;
    } else line(`[${stamp()}] ${text}`);
  };
  const finish = (b: BuildDetail): BuildDetail => {
    if (opts.json) {
      out(JSON.stringify({ event: 'end', build: b }) + '\n');
      return b;
    }
    line(`[${stamp()}] ${b.status}${b.title ? `: ${b.title}` : ''} (${formatDuration(b.seconds)}${b.reused ? ', reused' : ''})`);
    for (const e of b.errors.slice(0, 5)) line(`  ${errorLocation(e) ? `${errorLocation(e)}: ` : ''}${e.title}`);
    for (const d of b.droppedOptions.slice(0, 5)) line(`  ${d.option}=${d.requested} became ${d.actual}: ${d.explanation}`);
    line(`  details: pfnlab builds show ${b.id}`);
    return b;
  };

  if (opts.json) out(JSON.stringify({ event: 'state', build: first }) + '\n');
  else line(`[${stamp()}] build ${first.id} (${first.arch}, ${first.ref}) ${first.status}`);
  if (FINISHED.includes(first.status)) return finish(first);
  progress(first.progress);

  const abort = new AbortController();
  try {
    for (let attempt = 0; attempt < MAX_RECONNECTS; attempt++) {
      try {
        for await (const ev of readSse(`${api.server}/api/builds/${first.id}/events`, api.token, abort.signal)) {
          if (ev.event === 'progress') progress(JSON.parse(ev.data) as BuildProgressView);
          else if (ev.event === 'state') progress((JSON.parse(ev.data) as BuildDetail).progress);
          else if (ev.event === 'end') return finish(JSON.parse(ev.data) as BuildDetail);
        }
      } catch (e) {
        if (attempt === MAX_RECONNECTS - 1) throw new CliError(`lost the build's live stream: ${(e as Error).message}`, ExitCode.failure, `retry: pfnlab builds watch ${first.id}`);
      }
      // The stream ended early: the build may have finished meanwhile.
      const now = await api.get<BuildDetail>(`/api/builds/${first.id}`);
      if (FINISHED.includes(now.status)) return finish(now);
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new CliError(`the server kept closing build ${first.id}'s live stream`, ExitCode.failure, `retry: pfnlab builds watch ${first.id}`);
  } finally {
    abort.abort();
  }
}
