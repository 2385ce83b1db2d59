import * as dgram from 'node:dgram';
import * as net from 'node:net';

/*
 * Allocates loopback ports for the lab. A port is handed out only if both
 * TCP and UDP can bind it on 127.0.0.1 right now and it is not already
 * recorded for something else; allocations are kept in the state file so a
 * second `vlab up` reuses them.
 */

export function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

export function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => { s.close(); resolve(false); });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export class PortAllocator {
  private next: number;
  private readonly taken: Set<number>;

  constructor(base: number, taken: Iterable<number> = [], private readonly limit = base + 2000) {
    if (!Number.isInteger(base) || base < 1024 || base > 65000) throw new Error(`port base ${base} must be an integer in 1024..65000`);
    this.next = base;
    this.taken = new Set(taken);
  }

  async allocate(): Promise<number> {
    while (this.next < Math.min(this.limit, 65535)) {
      const p = this.next++;
      if (this.taken.has(p)) continue;
      if ((await tcpFree(p)) && (await udpFree(p))) {
        this.taken.add(p);
        return p;
      }
    }
    throw new Error(`no free loopback port left below ${this.limit}`);
  }
}
