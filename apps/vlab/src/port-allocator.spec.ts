import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ephemeralPortRange, PortAllocator } from './port-allocator';

describe('PortAllocator', () => {
  it('refuses a base inside the ephemeral range, naming the range and what to do', () => {
    expect(() => new PortAllocator(50100, [], undefined, [32768, 60999])).toThrow(
      /port base 50100 lies in the kernel's ephemeral port range 32768-60999 .*set PFNLAB_VLAB_PORT_BASE below 32768/,
    );
  });

  it('never hands out a port of the ephemeral range, even when the window would reach into it', async () => {
    // Window 1500..3500 by default; the "ephemeral range" here starts at 1503.
    const alloc = new PortAllocator(1500, [], undefined, [1503, 60999]);
    const got: number[] = [];
    await expect((async () => { for (;;) got.push(await alloc.allocate()); })()).rejects.toThrow(/no free loopback port left below 1503/);
    expect(got.every((p) => p >= 1500 && p < 1503)).toBe(true);
  });

  it('skips recorded ports', async () => {
    const alloc = new PortAllocator(20000, [20000, 20001], undefined, [32768, 60999]);
    const p = await alloc.allocate();
    expect(p).toBeGreaterThanOrEqual(20002);
  });

  it('reads the range from the kernel file, or falls back to the default', () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ports-')), 'range');
    fs.writeFileSync(f, '40000\t50000\n');
    expect(ephemeralPortRange(f)).toEqual([40000, 50000]);
    expect(ephemeralPortRange(path.join(path.dirname(f), 'missing'))).toEqual([32768, 60999]);
  });
});
