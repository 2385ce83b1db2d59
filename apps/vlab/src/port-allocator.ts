import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
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

/**
 * The kernel's ephemeral port range (net.ipv4.ip_local_port_range), from
 * which every outgoing connection takes its local port. The lab must stay
 * out of it: QEMU binds its console and SSH ports anew at every power-on, and
 * a connection to Redis or PostgreSQL opened while the machine was off can
 * hold that port for good (QEMU then exits at once and the machine shows no
 * output at all).
 */
export function ephemeralPortRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): [number, number] {
  try {
    const [lo, hi] = fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi) && lo <= hi) return [lo, hi];
  } catch { /* not Linux: the kernel's default */ }
  return [32768, 60999];
}

export class PortAllocator {
  private next: number;
  private readonly taken: Set<number>;
  private readonly limit: number;

  constructor(base: number, taken: Iterable<number> = [], limit = base + 2000, ephemeral: [number, number] = ephemeralPortRange()) {
    if (!Number.isInteger(base) || base < 1024 || base > 65000) throw new Error(`port base ${base} must be an integer in 1024..65000`);
    const [lo, hi] = ephemeral;
    if (base >= lo && base <= hi) {
      throw new Error(`port base ${base} lies in the kernel's ephemeral port range ${lo}-${hi} (net.ipv4.ip_local_port_range), where any outgoing connection can take a port the lab binds at each power-on; set PFNLAB_VLAB_PORT_BASE below ${lo}`);
    }
    this.next = base;
    this.taken = new Set(taken);
    this.limit = base < lo ? Math.min(limit, lo) : limit;
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
