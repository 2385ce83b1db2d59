/*
 * Worker thread of the benchmarks' probes. The server under test runs in the
 * benchmark's main thread (E2eStack starts it in-process), so anything that
 * timestamps an event runs here, on its own event loop: the server's work
 * cannot delay a probe's clock reading. Each probe posts its observations
 * with the wallMs() at which it made them.
 */
import { parentPort } from 'node:worker_threads';
import { Client } from 'pg';
import { readSse } from '../../apps/cli/src/sse-client';
import { wallMs } from './bench-common';
import { FileTail } from './file-tail';

export type ProbeCommand =
  | { op: 'tail'; id: number; file: string; intervalMs: number; fromStart: boolean }
  | { op: 'sse'; id: number; url: string; token: string }
  | { op: 'poll'; id: number; dbUrl: string; sql: string; params: unknown[]; intervalMs: number }
  | { op: 'stop'; id: number };

export type ProbeEvent =
  | { id: number; kind: 'line'; n: number; text: string; at: number }
  | { id: number; kind: 'sse'; event: string; data: string; at: number }
  | { id: number; kind: 'rows'; rows: Array<Record<string, unknown>>; at: number }
  | { id: number; kind: 'started'; at: number }
  | { id: number; kind: 'error'; message: string };

const port = parentPort!;
const post = (e: ProbeEvent) => port.postMessage(e);
const stops = new Map<number, () => void>();

function tail(c: Extract<ProbeCommand, { op: 'tail' }>): void {
  const t = new FileTail(c.file, (l) => post({ id: c.id, kind: 'line', n: l.n, text: l.text, at: l.at }), c.intervalMs, c.fromStart);
  t.start();
  stops.set(c.id, () => t.stop());
  post({ id: c.id, kind: 'started', at: wallMs() });
}

/** The live console through the CLI's own SSE client (the code `pfnlab jobs watch` runs). */
function sse(c: Extract<ProbeCommand, { op: 'sse' }>): void {
  const abort = new AbortController();
  stops.set(c.id, () => abort.abort());
  post({ id: c.id, kind: 'started', at: wallMs() });
  void (async () => {
    try {
      for await (const ev of readSse(c.url, c.token, abort.signal)) post({ id: c.id, kind: 'sse', event: ev.event, data: ev.data, at: wallMs() });
    } catch (e) {
      if (!abort.signal.aborted) post({ id: c.id, kind: 'error', message: (e as Error).message });
    }
  })();
}

/** Runs `sql` every `intervalMs` (one query at a time) and posts the rows whenever they change. */
function poll(c: Extract<ProbeCommand, { op: 'poll' }>): void {
  let stopped = false;
  stops.set(c.id, () => (stopped = true));
  void (async () => {
    const db = new Client({ connectionString: c.dbUrl });
    try {
      await db.connect();
      post({ id: c.id, kind: 'started', at: wallMs() });
      let last = '';
      while (!stopped) {
        const started = wallMs();
        const r = await db.query(c.sql, c.params);
        const json = JSON.stringify(r.rows);
        // The row was as seen somewhere during the query: take the time it was sent.
        if (json !== last) post({ id: c.id, kind: 'rows', rows: r.rows, at: started });
        last = json;
        await new Promise((res) => setTimeout(res, Math.max(0, c.intervalMs - (wallMs() - started))));
      }
    } catch (e) {
      post({ id: c.id, kind: 'error', message: (e as Error).message });
    } finally {
      await db.end().catch(() => undefined);
    }
  })();
}

port.on('message', (c: ProbeCommand) => {
  if (c.op === 'tail') tail(c);
  else if (c.op === 'sse') sse(c);
  else if (c.op === 'poll') poll(c);
  else if (c.op === 'stop') {
    stops.get(c.id)?.();
    stops.delete(c.id);
  }
});
