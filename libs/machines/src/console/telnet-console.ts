import type { ConsoleConnection, ConsoleDriver } from './console-driver';
import { connectSocket, SocketConsoleConnection } from './tcp-console';
import { TelnetDecoder, telnetEncode } from './telnet-codec';

/** A telnet / RFC 2217 console port (ser2net, terminal servers): options refused, protocol stripped. */
export class TelnetConsole implements ConsoleDriver {
  readonly describe: string;
  constructor(
    readonly host: string,
    readonly port: number,
    private readonly connectTimeoutMs = 10_000,
  ) {
    this.describe = `telnet ${host}:${port}`;
  }

  async open(): Promise<ConsoleConnection> {
    const s = await connectSocket(this.host, this.port, this.describe, this.connectTimeoutMs);
    const decoder = new TelnetDecoder();
    const decode = (chunk: Buffer): Buffer => {
      const { data, reply } = decoder.push(chunk);
      if (reply.length) s.write(reply);
      return data;
    };
    return new SocketConsoleConnection(s, this.describe, decode, telnetEncode);
  }
}
