import * as net from 'node:net';
import { ConsoleError } from './console-driver';
import { TcpConsole } from './tcp-console';
import { TelnetConsole } from './telnet-console';

/* The raw TCP and telnet consoles against a local net.Server (a real socket, no mocks). */

function server(onConn: (s: net.Socket) => void): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve) => {
    const srv = net.createServer(onConn);
    srv.listen(0, '127.0.0.1', () => resolve({ port: (srv.address() as net.AddressInfo).port, close: () => srv.close() }));
  });
}
const until = async (f: () => boolean) => {
  for (let i = 0; i < 100 && !f(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('TcpConsole', () => {
  it('delivers bytes sent before the listener subscribed, passes writes through, reports the peer closing', async () => {
    const got: Buffer[] = [];
    const srv = await server((s) => {
      s.write(Buffer.from([0x1b, 0x5b, 0x30, 0x6d, 0x00, 0x0a])); // escape sequence and NUL: raw bytes stay raw
      s.on('data', (d) => {
        got.push(d);
        s.end('bye\n');
      });
    });
    try {
      const conn = await new TcpConsole('127.0.0.1', srv.port).open();
      await new Promise((r) => setTimeout(r, 50));
      let text = Buffer.alloc(0);
      let closed = '';
      conn.onData((d) => (text = Buffer.concat([text, d])));
      conn.onClose((r) => (closed = r));
      conn.write('hello\r');
      await until(() => closed !== '');
      expect([...text]).toEqual([0x1b, 0x5b, 0x30, 0x6d, 0x00, 0x0a, ...Buffer.from('bye\n')]);
      expect(Buffer.concat(got).toString()).toBe('hello\r');
      expect(closed).toBe(`tcp 127.0.0.1:${srv.port}: the console server closed the connection`);
    } finally {
      srv.close();
    }
  });

  it('fails with a ConsoleError naming the port when nothing listens', async () => {
    const srv = await server(() => undefined);
    srv.close();
    await expect(new TcpConsole('127.0.0.1', srv.port).open()).rejects.toThrow(ConsoleError);
    await expect(new TcpConsole('127.0.0.1', srv.port).open()).rejects.toThrow(/cannot connect \(ECONNREFUSED\)/);
  });
});

describe('TelnetConsole', () => {
  it('answers the server\'s options with refusals and shows only the text', async () => {
    const fromClient: number[] = [];
    const srv = await server((s) => {
      s.write(Buffer.from([255, 251, 1, 255, 253, 44, ...Buffer.from('boot: '), 255, 255, 13, 0, 10]));
      s.on('data', (d) => fromClient.push(...d));
    });
    try {
      const conn = await new TelnetConsole('127.0.0.1', srv.port).open();
      let text = Buffer.alloc(0);
      conn.onData((d) => (text = Buffer.concat([text, d])));
      await until(() => text.length >= 9);
      expect([...text]).toEqual([...Buffer.from('boot: '), 255, 13, 10]);
      conn.write('ls\r');
      await until(() => fromClient.length >= 10);
      expect(fromClient).toEqual([255, 254, 1, 255, 252, 44, ...Buffer.from('ls'), 13, 0]);
      await conn.close();
    } finally {
      srv.close();
    }
  });
});
