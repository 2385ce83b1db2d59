import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseNmSymbols } from '@pfnlab/builds';
import { pfnlabBuild, prepareKernelTree, timings } from './helpers';

/*
 * `pfnlab build` for the other arches and the other outputs, against the
 * real kernel tree with Debian's cross compilers and LLVM: s390 bzImage,
 * ppc64le vmlinux, an LLVM=1 x86_64 build, the modules tarball and the
 * symbol table for size deltas. The builds run one after the other (jest
 * runs a file's tests in order); ccache in ~/.cache/pfnlab keeps reruns short.
 */

const MIN = 60_000;
let tree: string;
let out: string;
const base = (arch: string, config = 'tinyconfig') => ['--tree', tree, '--ref', 'v6.1-debian', '--arch', arch, '--config', config];
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
const fileType = (f: string) => execFileSync('file', ['-b', f], { encoding: 'utf8' }).trim();

/** The last lines of a build's log, for failure messages. */
function logTail(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, 'build.log'), 'utf8').trimEnd().split('\n').slice(-15).join('\n');
  } catch {
    return '(no build.log)';
  }
}

/** A Kconfig fragment in the test's scratch directory (the CLI wants files). */
function fragment(name: string, lines: string[]): string {
  const f = path.join(out, name);
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

/** ELF identification and e_machine of a file: class (64), data (LSB/MSB), machine number. */
function elfHeader(f: string): ElfHeader {
  const h = Buffer.alloc(20);
  const fd = fs.openSync(f, 'r');
  fs.readSync(fd, h, 0, 20, 0);
  fs.closeSync(fd);
  return elfHeaderOf(h);
}

interface ElfHeader { magic: string; bits: number; endian: 'LSB' | 'MSB'; machine: number }

function elfHeaderOf(h: Buffer): ElfHeader {
  const endian = h[5] === 1 ? 'LSB' : 'MSB';
  return { magic: h.subarray(0, 4).toString('latin1'), bits: h[4] === 2 ? 64 : 32, endian, machine: endian === 'LSB' ? h.readUInt16LE(18) : h.readUInt16BE(18) };
}

/** The build's vmlinux.symbols parses as the size delta reads it: many sized symbols, no garbage, start_kernel among them. */
function expectSymbolTable(dir: string): void {
  const text = fs.readFileSync(path.join(dir, 'vmlinux.symbols'), 'utf8');
  const table = parseNmSymbols(text);
  expect(table.garbage).toBe(0);
  expect(table.counted).toBeGreaterThan(100);
  expect(table.sizes.get('start_kernel')).toBeGreaterThan(0);
  expect(table.types.get('start_kernel')).toBe('T');
  // `nm --size-sort -S`: address and size columns, smallest first.
  const rows = text.trim().split('\n').map((l) => l.split(' '));
  expect(rows.every((r) => r.length === 4)).toBe(true);
  expect(parseInt(rows[0][1], 16)).toBeLessThanOrEqual(parseInt(rows[rows.length - 1][1], 16));
}

beforeAll(() => {
  tree = prepareKernelTree();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-xbuild-'));
}, 20 * MIN);

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
  process.stdout.write(`cross-arch build timings (s): ${JSON.stringify(timings)}\n`);
});

describe('pfnlab build for s390x, ppc64le, with LLVM, with modules (real kernel tree)', () => {
  it('cross-builds s390x tinyconfig to an s390 bzImage', async () => {
    const dir = path.join(out, 's390');
    const r = await pfnlabBuild([...base('s390x'), '--out', dir]);
    timings.s390TinyBuild = r.json.seconds;
    expect(r.json).toMatchObject({ status: 'PASS', arch: 's390x', image: path.join(dir, 'bzImage') });
    expect(r.code).toBe(0);
    const image = fs.readFileSync(path.join(dir, 'bzImage'));
    // The IPL PSW at 0 and the entry-point marker kexec checks (EP_OFFSET 0x10008, "S390EP").
    expect(image.subarray(0, 4).toString('hex')).toBe('00080000');
    expect(image.subarray(0x10008, 0x1000e).toString('latin1')).toBe('S390EP');
    expect(fileType(path.join(dir, 'bzImage'))).toMatch(/^Linux S390/);
    expect(elfHeader(path.join(dir, 'vmlinux'))).toEqual({ magic: '\x7fELF', bits: 64, endian: 'MSB', machine: 22 /* EM_S390 */ });
    expect(fileType(path.join(dir, 'vmlinux'))).toMatch(/^ELF 64-bit MSB executable, IBM S\/390/);
    const meta = readJson(path.join(dir, 'metadata.json'));
    expect(meta.toolchain.versions['s390x-linux-gnu-gcc']).toMatch(/^s390x-linux-gnu-gcc /);
    expect(meta.toolchain.versions['s390x-linux-gnu-ld']).toMatch(/^GNU ld /);
    expect(meta.images.bzImage).toBeGreaterThan(100_000);
    // tinyconfig has no modules: no tarball, and the metadata says so.
    expect(meta.modules).toBeNull();
    expect(r.json.artifacts).not.toContain(path.join(dir, 'modules.tar.xz'));
    expect(r.json.artifacts).toContain(path.join(dir, 'vmlinux.symbols'));
    expectSymbolTable(dir);
  }, 60 * MIN);

  it('cross-builds ppc64le tinyconfig to a little-endian 64-bit PowerPC vmlinux: the builder applies ppc64le.config after tinyconfig', async () => {
    const dir = path.join(out, 'ppc');
    // powerpc's tinyconfig alone is 32-bit big-endian; the job names no fragment for it.
    const r = await pfnlabBuild([...base('ppc64le'), '--out', dir]);
    timings.ppc64leTinyBuild = r.json.seconds;
    expect(r.json).toMatchObject({ status: 'PASS', arch: 'ppc64le', image: path.join(dir, 'vmlinux'), droppedOptions: [] });
    expect(r.code).toBe(0);
    expect(elfHeader(path.join(dir, 'vmlinux'))).toEqual({ magic: '\x7fELF', bits: 64, endian: 'LSB', machine: 21 /* EM_PPC64 */ });
    expect(fileType(path.join(dir, 'vmlinux'))).toMatch(/^ELF 64-bit LSB executable, 64-bit PowerPC/);
    const config = fs.readFileSync(path.join(dir, '.config'), 'utf8');
    expect(config).toContain('CONFIG_PPC64=y\n');
    expect(config).toContain('CONFIG_CPU_LITTLE_ENDIAN=y\n');
    expect(config).toContain('CONFIG_PPC_BOOK3S_64=y\n');
    const meta = readJson(path.join(dir, 'metadata.json'));
    expect(meta.toolchain.versions['powerpc64le-linux-gnu-gcc']).toMatch(/^powerpc64le-linux-gnu-gcc /);
    expectSymbolTable(dir);
  }, 60 * MIN);

  it('refuses, before compiling, a ppc64le build whose config is big-endian', async () => {
    const dir = path.join(out, 'ppc-be');
    // A stored config that says 64-bit but not little-endian: olddefconfig completes it as ppc64 BE.
    const stored = fragment('ppc64-be.config', ['CONFIG_PPC64=y']);
    const r = await pfnlabBuild([...base('ppc64le', stored), '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.json.status).toBe('ERROR');
    expect(r.json.title).toBe('the .config is not a ppc64le one: CONFIG_CPU_LITTLE_ENDIAN is not set');
    expect(r.json.image).toBeNull();
    const log = fs.readFileSync(path.join(dir, 'build.log'), 'utf8');
    // Stopped at the start of the compile phase, before make ran.
    expect(log).toContain('# phase compile');
    expect(log).not.toMatch(/^# make .* vmlinux$/m);
  }, 30 * MIN);

  it('builds x86_64 tinyconfig with LLVM=1: clang in the metadata and the .config', async () => {
    const dir = path.join(out, 'llvm');
    const r = await pfnlabBuild([...base('x86_64'), '--llvm', '--out', dir]);
    timings.x86LlvmTinyBuild = r.json.seconds;
    expect(r.json).toMatchObject({ status: 'PASS', arch: 'x86_64', image: path.join(dir, 'bzImage') });
    expect(r.code).toBe(0);
    expect(fileType(path.join(dir, 'bzImage'))).toMatch(/^Linux kernel x86 boot executable bzImage/);
    const meta = readJson(path.join(dir, 'metadata.json'));
    expect(meta.toolchain.kind).toBe('llvm');
    expect(meta.toolchain.versions.clang).toMatch(/clang version \d+\.\d+/);
    expect(meta.toolchain.versions['ld.lld']).toMatch(/LLD \d+\.\d+/);
    const config = fs.readFileSync(path.join(dir, '.config'), 'utf8');
    expect(config).toContain('CONFIG_CC_IS_CLANG=y\n');
    expect(config).toContain('CONFIG_LD_IS_LLD=y\n');
    expect(config).not.toContain('CONFIG_CC_IS_GCC=y');
    // The symbol table comes from llvm-nm, in the same format.
    expect(fs.readFileSync(path.join(dir, 'build.log'), 'utf8')).toMatch(/^# llvm-nm --size-sort -S \S+\/vmlinux > vmlinux\.symbols$/m);
    expectSymbolTable(dir);
  }, 60 * MIN);

  it('builds and packs modules when the config has them: modules.tar.xz with lib/modules/<release>/..., the count in the metadata', async () => {
    const dir = path.join(out, 'modules');
    // CRC_CCITT is a tristate with no dependencies, so tinyconfig keeps it as a module.
    const mods = fragment('modules.config', ['CONFIG_MODULES=y', 'CONFIG_CRC_CCITT=m']);
    const r = await pfnlabBuild([...base('x86_64'), '--fragment', mods, '--out', dir]);
    timings.x86ModulesBuild = r.json.seconds;
    // The title and the log's end in the failure message: an ERROR here says which step (modules_install, tar, nm) and why.
    expect({ status: r.json.status, title: r.json.title, log: r.json.status === 'PASS' ? '' : logTail(dir) }).toEqual({ status: 'PASS', title: expect.stringMatching(/^built bzImage/), log: '' });
    expect(r.json).toMatchObject({ arch: 'x86_64', droppedOptions: [] });
    expect(r.code).toBe(0);
    const tarball = path.join(dir, 'modules.tar.xz');
    expect(r.json.artifacts).toContain(tarball);
    const members = execFileSync('tar', ['-tJf', tarball], { encoding: 'utf8' }).trim().split('\n');
    const ko = members.filter((m) => m.endsWith('.ko'));
    expect(ko).toHaveLength(1);
    expect(ko[0]).toMatch(/^lib\/modules\/6\.1\.[^/]+\/kernel\/lib\/crc-ccitt\.ko$/);
    const release = ko[0].split('/')[2];
    // Relative paths only, depmod's files, no links into the deleted build directory.
    expect(members.every((m) => m.startsWith('lib/modules/'))).toBe(true);
    expect(members).toContain(`lib/modules/${release}/modules.dep`);
    expect(members).not.toContain(`lib/modules/${release}/build`);
    expect(members).not.toContain(`lib/modules/${release}/source`);
    const koBytes = execFileSync('tar', ['-xJOf', tarball, ko[0]]);
    expect(elfHeaderOf(koBytes)).toEqual({ magic: '\x7fELF', bits: 64, endian: 'LSB', machine: 62 /* EM_X86_64 */ });
    const meta = readJson(path.join(dir, 'metadata.json'));
    expect(meta.modules).toEqual({ release, count: 1 });
    expect(fs.readFileSync(path.join(dir, '.config'), 'utf8')).toContain('CONFIG_CRC_CCITT=m\n');
    expectSymbolTable(dir);
  }, 60 * MIN);
});
