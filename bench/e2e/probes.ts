import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { sleep } from './bench-common';
import type { TailedLine } from './file-tail';
import type { ProbeCommand, ProbeEvent } from './probe-worker';

type Sse = { event: string; data: string; at: number };
type Rows = { rows: Array<Record<string, unknown>>; at: number };

/** What one probe has observed so far, filled from the worker's messages. */
export class Probe<T> {
  readonly seen: T[] = [];
  startedAt = NaN;
  error?: string;
  private waiters: Array<() => void> = [];

  constructor(
    readonly id: number,
    private readonly owner: Probes,
  ) {}

  push(x: T): void {
    this.seen.push(x);
    for (const w of this.waiters.splice(0)) w();
  }

  fail(message: string): void {
    this.error = message;
    for (const w of this.waiters.splice(0)) w();
  }

  /** The first observation (from index `from` on) that satisfies `pred`, waiting up to `timeoutMs`. */
  async waitFor(pred: (x: T) => boolean, timeoutMs: number, what: string, from = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.seen.slice(from).find(pred);
      if (hit) return hit;
      if (this.error) throw new Error(`${what}: probe failed: ${this.error}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(Math.min(left, 1000))]);
    }
  }

  /** Resolves once the worker runs the probe (a tail has taken its starting offset, a poll is connected). */
  async ready(timeoutMs = 10_000): Promise<this> {
    const deadline = Date.now() + timeoutMs;
    while (Number.isNaN(this.startedAt)) {
      if (this.error) throw new Error(`probe failed: ${this.error}`);
      if (Date.now() > deadline) throw new Error(`probe ${this.id} did not start within ${timeoutMs} ms`);
      await sleep(5);
    }
    return this;
  }

  stop(): void {
    this.owner.send({ op: 'stop', id: this.id });
  }
}

/**
 * The benchmarks' probes (file tails, the live console's SSE client, SQL
 * polls), all in one worker thread (probe-worker.ts) so that their
 * timestamps do not depend on how busy the in-process server keeps the
 * main thread.
 */
export class Probes {
  private readonly worker = new Worker(join(__dirname, 'probe-worker.js'));
  private next = 1;
  private readonly probes = new Map<number, Probe<unknown>>();

  constructor() {
    this.worker.on('message', (e: ProbeEvent) => {
      const p = this.probes.get(e.id);
      if (!p) return;
      if (e.kind === 'started') p.startedAt = e.at;
      else if (e.kind === 'error') p.fail(e.message);
      else if (e.kind === 'line') p.push({ n: e.n, text: e.text, at: e.at });
      else if (e.kind === 'sse') p.push({ event: e.event, data: e.data, at: e.at });
      else p.push({ rows: e.rows, at: e.at });
    });
    this.worker.on('error', (e) => {
      for (const p of this.probes.values()) p.fail(`probe worker died: ${e.message}`);
    });
  }

  send(c: ProbeCommand): void {
    this.worker.postMessage(c);
  }

  private make<T>(): Probe<T> {
    const p = new Probe<T>(this.next++, this);
    this.probes.set(p.id, p as Probe<unknown>);
    return p;
  }

  /** Lines appended to `file`, each with the time a 5 ms (default) poll found it. */
  tail(file: string, o: { intervalMs?: number; fromStart?: boolean } = {}): Probe<TailedLine> {
    const p = this.make<TailedLine>();
    this.send({ op: 'tail', id: p.id, file, intervalMs: o.intervalMs ?? 5, fromStart: o.fromStart ?? false });
    return p;
  }

  /** Server-Sent Events of `url`, each with its arrival time. */
  sse(url: string, token: string): Probe<Sse> {
    const p = this.make<Sse>();
    this.send({ op: 'sse', id: p.id, url, token });
    return p;
  }

  /** The rows of `sql` whenever they change, polled every `intervalMs`. */
  poll(dbUrl: string, sql: string, params: unknown[], intervalMs: number): Probe<Rows> {
    const p = this.make<Rows>();
    this.send({ op: 'poll', id: p.id, dbUrl, sql, params, intervalMs });
    return p;
  }

  async close(): Promise<void> {
    for (const id of this.probes.keys()) this.send({ op: 'stop', id });
    await sleep(50);
    await this.worker.terminate();
  }
}
