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

class ReconnectingConnection extends ConsoleConnectionBase {
  private current?: ConsoleConnection;
  private stopped = false;

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
    conn.onData((chunk) => this.emitData(chunk));
    conn.onClose((reason) => {
      if (this.stopped) return;
      this.emitData(Buffer.from(`\r\n[pfnlab: console connection lost (${reason}); reconnecting]\r\n`));
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
        this.emitData(Buffer.from('[pfnlab: console reconnected]\r\n'));
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
    await this.current?.close();
    this.emitClose('closed by pfnlab');
  }
}
