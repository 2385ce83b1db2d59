import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { runCli } from '../main';
import { runLogAnalyze } from './log';

const LKML = path.resolve(__dirname, '../../../../../shared/fixtures/console/lkml');
const fixture = (f: string) => path.join(LKML, f);

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...argv: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += s.toString();
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += s.toString();
    return true;
  });
  try {
    const code = await runCli(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined; // the command sets it; it must not leak into jest's own exit code
  }
}

describe('pfnlab log analyze', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-log-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('prints exactly the documented JSON object for a crash log and exits 1', async () => {
    const file = fixture('s390-zone-device-warning-1.log');
    const r = await cli('log', 'analyze', '--json', file);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const obj = JSON.parse(lines[0]);
    expect(obj).toEqual({
      file,
      arch: 's390x',
      milestones: [],
      crashes: [
        {
          title: 'WARNING in free_zone_device_folio',
          type: 'WARNING',
          frame: 'free_zone_device_folio',
          corrupted: false,
          startLine: 1,
          endLine: 25,
          count: 1,
        },
      ],
    });
    expect(Object.keys(obj)).toEqual(['file', 'arch', 'milestones', 'crashes']);
    expect(Object.keys(obj.crashes[0])).toEqual(['title', 'type', 'frame', 'corrupted', 'startLine', 'endLine', 'count']);
  });

  it('prints one JSON line per file, in order, and exits 1 when any has a crash', async () => {
    const files = [
      fixture('non-console/multiarch-bloat-o-meter-pxd-addr-end-1.log'),
      fixture('ppc64-debug-vm-pgtable-null-deref-1.log'),
      fixture('arm64-debug-vm-pgtable-warning-1.log'),
    ];
    const r = await cli('log', 'analyze', '--json', ...files);
    expect(r.code).toBe(1);
    const objs = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(objs.map((o) => [o.file, o.arch, o.crashes.map((c: { title: string }) => c.title)])).toEqual([
      [files[0], 'unknown', []],
      [files[1], 'ppc64le', ['BUG: unable to handle kernel NULL pointer dereference in memset']],
      [files[2], 'unknown', ['WARNING in corrupted']],
    ]);
    expect(objs[2].crashes[0]).toMatchObject({ frame: null, corrupted: true, startLine: 1, endLine: 1 });
  });

  it('exits 0 when no crash was found', async () => {
    const r = await cli('log', 'analyze', '--json', fixture('non-console/multiarch-bloat-o-meter-pxd-addr-end-1.log'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ crashes: [], milestones: [] });
  });

  it('lists milestones with 1-based lines and printk times', async () => {
    const file = path.join(tmp, 'boot.log');
    fs.writeFileSync(
      file,
      [
        'SeaBIOS (version 1.16.2-debian-1.16.2-1)',
        '[    0.000000] Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP',
        '[    0.034215] Memory: 8081468K/8388076K available (14339K kernel code)',
        '[    1.230000] Run /init as init process',
        'lab-x86-03 login: ',
      ].join('\r\n'),
    );
    const r = await cli('log', 'analyze', '--json', file);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).milestones).toEqual([
      { name: 'firmware', line: 1, time: null },
      { name: 'linux-version', line: 2, time: 0 },
      { name: 'memory-init', line: 3, time: 0.034215 },
      { name: 'init-started', line: 4, time: 1.23 },
      { name: 'userspace-ready', line: 5, time: null },
    ]);
  });

  it('takes the arch from --arch', async () => {
    const r = await cli('log', 'analyze', '--json', '--arch', 'arm64', fixture('arm64-debug-vm-pgtable-warning-1.log'));
    expect(JSON.parse(r.stdout).arch).toBe('arm64');
  });

  it('prints a report for people without --json', async () => {
    const r = await cli('log', 'analyze', fixture('s390-thp-bug-1.log'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${fixture('s390-thp-bug-1.log')}: 48 lines, arch s390x`);
    expect(r.stdout).toContain('1. kernel BUG in __split_huge_pmd_locked');
    expect(r.stdout).toContain('BUG, frame __split_huge_pmd_locked, lines 1-48');
    expect(r.stdout).toContain('kernel BUG at mm/huge_memory.c:2884!');
  });

  it('reads standard input for "-"', async () => {
    let out = '';
    const stdin = Readable.from([fs.readFileSync(fixture('s390-thp-oops-1.log'))]);
    const code = await runLogAnalyze(['-'], { json: true }, (s) => (out += s), stdin);
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({
      file: '-',
      arch: 's390x',
      crashes: [{ title: 'BUG: unable to handle kernel pointer dereference in __rb_erase_color', startLine: 1, endLine: 63 }],
    });
  });

  it('exits 2 on a file it cannot read, after analysing the others', async () => {
    const missing = path.join(tmp, 'no-such.log');
    const r = await cli('log', 'analyze', '--json', missing, fixture('s390-thp-bug-1.log'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read ${missing}: ENOENT`);
    expect(JSON.parse(r.stdout).crashes[0].title).toBe('kernel BUG in __split_huge_pmd_locked');
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli('log', 'analyze')).code).toBe(2);
    const badArch = await cli('log', 'analyze', '--arch', 'sparc', fixture('s390-thp-bug-1.log'));
    expect(badArch.code).toBe(2);
    expect(badArch.stderr).toContain('unknown arch "sparc"');
    expect((await cli('log', 'analyze', '-', '-')).code).toBe(2);
  });
});
