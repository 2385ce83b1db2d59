import { ConsoleConnectionBase } from './console-connection-base';
import type { ConsoleConnection, ConsoleDriver } from './console-driver';

export interface ReconnectOptions {
  /** Longest pause between two connection attempts. */
  maxDelayMs?: number;
}

/**
 * Keeps a network console (TCP, telnet, conserver) open for the whole run:
 * console servers drop connections, and some accept them only while the
 * machine's port is live. When the connection ends without pfnlab asking,
 * a marker line records the gap in the log and the console is reopened
 * with backoff until the run closes it. Nothing is replayed, so nothing is
 * duplicated; what the machine printed during the gap is lost and the
 * marker says so.
 */
export class ReconnectingConsole implements ConsoleDriver {
  readonly describe: string;

  constructor(
    private readonly inner: ConsoleDriver,
    private readonly o: ReconnectOptions = {},
  ) {
    this.describe = inner.describe;
  }

  async open(): Promise<ConsoleConnection> {
    const conn = new ReconnectingConnection(this.inner, this.o.maxDelayMs ?? 2000);
    await conn.connect();
    return conn;
  }
}

/** A reconnected console that stays up this long ends the outage (the next loss is marked again). */
const STABLE_MS = 2000;

class ReconnectingConnection extends ConsoleConnectionBase {
  private current?: ConsoleConnection;
  private stopped = false;
  /** In an outage: a server that accepts and drops again at once is not marked each time. */
  private outage = false;
  private stableTimer?: NodeJS.Timeout;

  constructor(
    private readonly driver: ConsoleDriver,
    private readonly maxDelayMs: number,
  ) {
    super();
  }

  async connect(): Promise<void> {
    this.attach(await this.driver.open());
  }

  private attach(conn: ConsoleConnection): void {
    this.current = conn;
    this.stableTimer = setTimeout(() => (this.outage = false), STABLE_MS);
    this.stableTimer.unref();
    conn.onData((chunk) => this.emitData(chunk));
    conn.onClose((reason) => {
      clearTimeout(this.stableTimer);
      if (this.stopped) return;
      if (!this.outage) this.emitData(Buffer.from(`\r\n[pfnlab: console connection lost (${reason}); reconnecting]\r\n`));
      this.outage = true;
      void this.reconnect();
    });
  }

  private async reconnect(): Promise<void> {
    for (let delay = 100; !this.stopped; delay = Math.min(delay * 2, this.maxDelayMs)) {
      await new Promise((r) => setTimeout(r, delay));
      if (this.stopped) return;
      try {
        const conn = await this.driver.open();
        if (this.stopped) return void conn.close();
        this.attach(conn);
        return;
      } catch {
        // The console server is still not taking connections: keep trying.
      }
    }
  }

  write(data: string | Buffer): void {
    this.current?.write(data);
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.stableTimer);
    await this.current?.close();
    this.emitClose('closed by pfnlab');
  }
}
