import * as net from 'node:net';
import { ConsoleConnectionBase } from './console-connection-base';
import { ConsoleError, type ConsoleConnection, type ConsoleDriver } from './console-driver';

export interface TcpConsoleOptions {
  connectTimeoutMs?: number;
}

/** A connected socket as a console connection; the telnet console plugs its codec in. */
export class SocketConsoleConnection extends ConsoleConnectionBase {
  constructor(
    protected readonly socket: net.Socket,
    private readonly describe: string,
    private readonly decode: (chunk: Buffer) => Buffer = (c) => c,
    private readonly encode: (chunk: Buffer) => Buffer = (c) => c,
  ) {
    super();
    socket.on('data', (d: Buffer) => this.emitData(this.decode(d)));
    socket.on('error', (e: NodeJS.ErrnoException) => this.emitClose(`${this.describe}: connection error (${e.code ?? e.message})`));
    socket.on('close', () => this.emitClose(`${this.describe}: the console server closed the connection`));
  }

  write(data: string | Buffer): void {
    if (!this.closed) this.socket.write(this.encode(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.emitClose('closed by pfnlab');
    await new Promise<void>((r) => {
      this.socket.once('close', () => r());
      this.socket.end();
      setTimeout(() => {
        this.socket.destroy();
        r();
      }, 1000).unref();
    });
  }
}

export function connectSocket(host: string, port: number, describe: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new ConsoleError(`${describe}: no connection within ${Math.round(timeoutMs / 1000)} s; check that the console server is up and reachable`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.setNoDelay(true);
      s.setKeepAlive(true, 30_000);
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ConsoleError(`${describe}: cannot connect (${e.code ?? e.message}); check that the console server is up and the port is right`));
    });
  });
}

/** A raw TCP console (QEMU socket chardev, ser2net raw port, terminal servers in raw mode). */
export class TcpConsole implements ConsoleDriver {
  readonly describe: string;
  constructor(
    readonly host: string,
    readonly port: number,
    private readonly o: TcpConsoleOptions = {},
  ) {
    this.describe = `tcp ${host}:${port}`;
  }

  async open(): Promise<ConsoleConnection> {
    const s = await connectSocket(this.host, this.port, this.describe, this.o.connectTimeoutMs ?? 10_000);
    return new SocketConsoleConnection(s, this.describe);
  }
}
