import { appendFileSync, closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { CONSOLE_STREAM } from '@pfnlab/contracts';

/** Most lines in one stream entry; big enough to keep up with a chatty console. */
const BATCH_LINES = 500;
/** How long a line may wait for company before it is sent (live latency). */
const FLUSH_MS = 10;

/**
 * A run's console on the agent: every line is appended to a spool file
 * first (line N of the file is sequence number N), then shipped to the
 * server's stream in batches. Lines the server has not stored survive a
 * Redis outage and an agent restart: `resend()` ships everything after what
 * the server acknowledged. The server drops lines it already has, so
 * shipping twice is harmless.
 */
export class ConsoleSpool {
  private fd: number;
  private next = 0;
  private pending: string[] = [];
  private pendingSeq = 0;
  private timer?: NodeJS.Timeout;
  private sending: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    private readonly path: string,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly runId: string,
  ) {
    this.next = existsSync(path) ? countLines(readFileSync(path, 'utf8')) : 0;
    this.fd = openSync(path, 'a');
    this.pendingSeq = this.next;
  }

  get lines(): number {
    return this.next;
  }

  add(line: string): void {
    // Spool first: the file is the truth if anything below fails.
    appendFileSync(this.fd, line.replace(/\n/g, ' ') + '\n');
    this.pending.push(line);
    this.next++;
    if (this.pending.length >= BATCH_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Ships what is pending; a failure keeps the lines for the next flush. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return this.sending;
    const lines = this.pending;
    const seq = this.pendingSeq;
    this.pending = [];
    this.pendingSeq = seq + lines.length;
    this.sending = this.sending.then(async () => {
      if (this.failed) return; // the spool file still has them; resend() will ship them
      try {
        await this.ship(seq, lines);
      } catch {
        this.failed = true;
      }
    });
    return this.sending;
  }

  /** Ships every spooled line from `fromSeq` on (after a reconnect or a restart). */
  async resend(fromSeq: number): Promise<void> {
    await this.flush();
    const all = readFileSync(this.path, 'utf8').split('\n');
    all.pop();
    for (let s = fromSeq; s < all.length; s += BATCH_LINES) await this.ship(s, all.slice(s, s + BATCH_LINES));
    this.failed = false;
  }

  /** Sequence number up to which the server has stored this run's console. */
  async acked(): Promise<number> {
    return Number((await this.redis.get(`${this.prefix}:console-acked.v1:${this.runId}`)) ?? 0);
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.failed) await this.resend(await this.acked()).catch(() => undefined);
    closeSync(this.fd);
  }

  private async ship(seq: number, lines: string[]): Promise<void> {
    await this.redis.xadd(`${this.prefix}:${CONSOLE_STREAM}`, 'MAXLEN', '~', '1000000', '*', 'batch', JSON.stringify({ runId: this.runId, seq, lines }));
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
