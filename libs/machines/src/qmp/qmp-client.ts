import * as net from 'node:net';

/** An asynchronous QMP event (DEVICE_DELETED, ACPI_DEVICE_OST...), numbered in the order it arrived on this connection. */
export interface QmpEvent {
  event: string;
  data: Record<string, unknown>;
  seq: number;
}

/** QEMU answered a command with an error (class and description as QEMU gave them). */
export class QmpError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly description: string,
  ) {
    super(`QMP ${command}: ${errorClass}: ${description}`);
    this.name = 'QmpError';
  }
}

export interface QmpClientOptions {
  /** Connecting, the greeting and capability negotiation (default 10 s). */
  connectTimeoutMs?: number;
  /** Default time a command may take to be answered (default 30 s). */
  commandTimeoutMs?: number;
  /** A line longer than this ends the connection (default 1 MiB). */
  maxLineBytes?: number;
  /** Events kept for waitEvent (default 1000, the oldest go first). */
  maxEvents?: number;
}

export interface QmpCommandOptions {
  timeoutMs?: number;
}

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const excerpt = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const COMMAND_RE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * A QMP connection (QEMU Machine Protocol, JSON lines on a unix socket):
 * greeting, capability negotiation, commands matched to their answers by
 * id, and the asynchronous events collected for waitEvent. What comes from
 * the socket is untrusted: a line that is not a JSON object is counted in
 * `badLines` and otherwise ignored, an overlong line ends the connection.
 * Every error names the command (or event) it concerns and the socket.
 */
export class QmpClient {
  private buf = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly log: QmpEvent[] = [];
  private eventSeq = 0;
  private readonly listeners = new Set<() => void>();
  private greeted = false;
  private closed?: string;
  /** Lines that were not QMP messages (count, and the first few, cut). */
  badLines = 0;
  readonly badLineSamples: string[] = [];

  private constructor(
    private readonly sock: net.Socket,
    readonly socketPath: string,
    private readonly o: Required<QmpClientOptions>,
  ) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('error', (e) => this.shut(`socket error: ${e.message}`));
    sock.on('close', () => this.shut('connection closed by QEMU'));
  }

  static async connect(socketPath: string, opts: QmpClientOptions = {}): Promise<QmpClient> {
    const o: Required<QmpClientOptions> = { connectTimeoutMs: 10_000, commandTimeoutMs: 30_000, maxLineBytes: 1 << 20, maxEvents: 1000, ...opts };
    const sock = net.connect(socketPath);
    const q = new QmpClient(sock, socketPath, o);
    const deadline = Date.now() + o.connectTimeoutMs;
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no connection')), o.connectTimeoutMs);
        sock.once('connect', () => { clearTimeout(t); resolve(); });
        sock.once('error', (e) => { clearTimeout(t); reject(e); });
      });
      await q.until(() => q.greeted, deadline - Date.now(), 'no QMP greeting');
      await q.cmd('qmp_capabilities', undefined, { timeoutMs: Math.max(1, deadline - Date.now()) });
    } catch (e) {
      sock.destroy();
      throw new Error(`QMP at ${socketPath}: cannot connect: ${(e as Error).message}`);
    }
    return q;
  }

  /**
   * Sends a command and resolves with its `return` value; rejects with a
   * QmpError when QEMU answers with an error, or an Error naming the
   * command when it does not answer in time or the connection ends.
   */
  async cmd(execute: string, args?: Record<string, unknown>, opts: QmpCommandOptions = {}): Promise<unknown> {
    if (!COMMAND_RE.test(execute)) throw new Error(`QMP ${JSON.stringify(execute.slice(0, 64))}: not a command name`);
    const timeoutMs = opts.timeoutMs ?? this.o.commandTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      if (this.closed) return reject(new Error(`QMP ${execute} at ${this.socketPath}: ${this.closed}`));
      const id = `pfnlab-${this.nextId++}`;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`QMP ${execute} at ${this.socketPath}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { command: execute, resolve, reject, timer });
      this.sock.write(`${JSON.stringify({ execute, ...(args ? { arguments: args } : {}), id })}\n`);
    });
  }

  /**
   * The sequence number the next event will get: waitEvent(..., mark) sees
   * only events from then on (take it before a command that completes with
   * an event, as device_del does with DEVICE_DELETED).
   */
  eventMark(): number {
    return this.eventSeq;
  }

  /** The events kept so far (oldest first). */
  events(): QmpEvent[] {
    return [...this.log];
  }

  /** The first event named `event` whose data has every key of `data`, among those numbered `after` or later. */
  async waitEvent(event: string, data: Record<string, unknown>, timeoutMs: number, after = 0): Promise<QmpEvent> {
    const find = () => this.log.find((e) => e.seq >= after && e.event === event && Object.entries(data).every(([k, v]) => e.data[k] === v));
    let found = find();
    if (found) return found;
    await this.until(() => (found = find()) !== undefined, timeoutMs, `QMP event ${event} ${JSON.stringify(data)} not seen within ${timeoutMs} ms`);
    return found!;
  }

  close(): void {
    this.shut('closed');
    this.sock.destroy();
  }

  private until(ok: () => boolean, timeoutMs: number, message: string): Promise<void> {
    if (ok()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (e?: Error) => {
        clearTimeout(t);
        this.listeners.delete(check);
        if (e) reject(e);
        else resolve();
      };
      const check = () => {
        if (ok()) done();
        else if (this.closed) done(new Error(`${message} (${this.closed}) at ${this.socketPath}`));
      };
      const t = setTimeout(() => done(new Error(`${message} at ${this.socketPath}`)), Math.max(0, timeoutMs));
      this.listeners.add(check);
      check();
    });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private onData(d: string): void {
    this.buf += d;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).trim();
      this.buf = this.buf.slice(i + 1);
      if (line) this.onLine(line);
    }
    if (this.buf.length > this.o.maxLineBytes) {
      this.shut(`a line longer than ${this.o.maxLineBytes} bytes`);
      this.sock.destroy();
    }
  }

  private bad(line: string): void {
    this.badLines++;
    if (this.badLineSamples.length < 5) this.badLineSamples.push(excerpt(line));
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return this.bad(line);
    }
    if (!isObject(msg)) return this.bad(line);
    if ('QMP' in msg) {
      this.greeted = true;
      return this.notify();
    }
    if (typeof msg.event === 'string') {
      this.log.push({ event: msg.event, data: isObject(msg.data) ? msg.data : {}, seq: this.eventSeq++ });
      if (this.log.length > this.o.maxEvents) this.log.splice(0, this.log.length - this.o.maxEvents);
      return this.notify();
    }
    const p = typeof msg.id === 'string' ? this.pending.get(msg.id) : undefined;
    if (!p) return this.bad(line);
    this.pending.delete(msg.id as string);
    clearTimeout(p.timer);
    if ('return' in msg) p.resolve(msg.return);
    else if (isObject(msg.error)) p.reject(new QmpError(p.command, String(msg.error.class ?? 'Error').slice(0, 100), String(msg.error.desc ?? '').slice(0, 1000)));
    else p.reject(new Error(`QMP ${p.command} at ${this.socketPath}: an answer with neither return nor error: ${excerpt(line)}`));
  }

  private shut(why: string): void {
    if (this.closed) return;
    this.closed = why;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`QMP ${p.command} at ${this.socketPath}: ${why} before the answer`));
      this.pending.delete(id);
    }
    this.notify();
  }
}
