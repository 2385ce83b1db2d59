import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NetbootStaging } from './netboot-staging';

describe('NetbootStaging', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-netboot-'));
  const next = path.join(root, 'm1', 'boot', 'next');
  fs.writeFileSync(path.join(root, 'Image'), 'kernel-bytes');
  fs.writeFileSync(path.join(root, 'initrd.gz'), 'initrd-bytes');
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('stages kernel, initrd and cmdline atomically and replaces an earlier staging', async () => {
    const s = new NetbootStaging(next, ['console=ttyS0,115200']);
    await s.stage({ kernelPath: path.join(root, 'Image'), cmdline: ['first'] });
    expect(fs.readdirSync(next).sort()).toEqual(['cmdline', 'kernel']);
    await s.stage({ kernelPath: path.join(root, 'Image'), initrdPath: path.join(root, 'initrd.gz'), cmdline: ['pfnlab.run=abc123', 'panic=-1'] });
    expect(fs.readdirSync(next).sort()).toEqual(['cmdline', 'initrd', 'kernel']);
    expect(fs.readFileSync(path.join(next, 'cmdline'), 'utf8')).toBe('console=ttyS0,115200 pfnlab.run=abc123 panic=-1\n');
    expect(fs.readFileSync(path.join(next, 'initrd'), 'utf8')).toBe('initrd-bytes');
    // nothing left behind next to it
    expect(fs.readdirSync(path.dirname(next))).toEqual(['next']);
    await s.unstage();
    await s.unstage();
    expect(fs.existsSync(next)).toBe(false);
  });

  it('leaves no staging when an input is bad', async () => {
    const s = new NetbootStaging(next);
    await expect(s.stage({ kernelPath: path.join(root, 'Image'), initrdPath: path.join(root, 'missing'), cmdline: [] })).rejects.toThrow(/initrd .*missing does not exist/);
    await expect(s.stage({ kernelPath: path.join(root, 'Image'), cmdline: ['root=/dev/sda1 init=/bin/sh'] })).rejects.toThrow(/whitespace/);
    expect(fs.existsSync(next)).toBe(false);
    expect(() => new NetbootStaging('relative/next')).toThrow(/absolute/);
  });
});
