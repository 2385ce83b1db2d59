import * as net from 'node:net';
import { ReconnectingConsole } from './reconnecting-console';
import { TcpConsole } from './tcp-console';

describe('ReconnectingConsole', () => {
  it('marks a dropped connection in the stream, reconnects, and stops when closed', async () => {
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      // First a console, then a server that accepts and drops twice (as ser2net does while the port is dead).
      if (connections === 1) {
        s.write('first\n');
        setTimeout(() => s.destroy(), 50);
      } else if (connections <= 3) s.destroy();
      else s.write('second\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const conn = await new ReconnectingConsole(new TcpConsole('127.0.0.1', port), { maxDelayMs: 200 }).open();
    let text = '';
    conn.onData((d) => (text += d.toString()));
    const closed: string[] = [];
    conn.onClose((r) => closed.push(r));
    for (let i = 0; i < 50 && !text.includes('second'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(text).toMatch(/^first\n\r\n\[pfnlab: console connection lost \(tcp 127\.0\.0\.1:\d+: the console server closed the connection\); reconnecting\]\r\nsecond\n$/);
    await conn.close();
    expect(closed).toEqual(['closed by pfnlab']);
    await new Promise((r) => setTimeout(r, 300));
    expect(connections).toBe(4);
    server.close();
  });
});
