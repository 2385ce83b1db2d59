import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, gitRevParse, pfnlabBuild, prepareKernelTree, timings } from './helpers';

/*
 * `pfnlab build` against a real kernel tree (Debian's linux-source-6.1),
 * real gcc, ccache and make: no mocks. The tree, mirror and ccache stay in
 * ~/.cache/pfnlab between runs, so only the first run compiles cold.
 */

const MIN = 60_000;
let tree: string;
let out: string;
const fixture = (f: string) => path.join(FIXTURES, f);
const common = () => ['--tree', tree, '--ref', 'v6.1-debian', '--arch', 'x86_64', '--config', 'tinyconfig'];

beforeAll(() => {
  tree = prepareKernelTree();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-build-'));
}, 20 * MIN);

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
  process.stdout.write(`kernel build timings (s): ${JSON.stringify(timings)}\n`);
});

describe('pfnlab build (local mode, real kernel tree)', () => {
  it('fails a patch that does not apply, naming it, before configuring', async () => {
    const r = await pfnlabBuild([...common(), '--fragment', fixture('tiny-console.config'), '--patch', fixture('0001-does-not-apply.patch'), '--out', path.join(out, 'b')]);
    timings.patchDoesNotApply = r.json.seconds;
    expect(r.code).toBe(1);
    expect(r.json.status).toBe('FAIL');
    expect(r.json.title).toContain('0001-does-not-apply.patch');
    expect(r.json.title).toContain('mm: tweak a function that 6.1 does not have');
    expect(r.json.image).toBeNull();
    // It stopped before the config phase: the log has no olddefconfig or compile in it.
    const log = fs.readFileSync(path.join(out, 'b', 'build.log'), 'utf8');
    expect(log).toContain('Patch failed at 0001');
    expect(log).not.toContain('# phase config');
  }, 20 * MIN);

  it('reports a dropped fragment option as an ERROR naming it and the unmet dependency, before compiling', async () => {
    const r = await pfnlabBuild([...common(), '--fragment', fixture('zone-device.config'), '--out', path.join(out, 'c')]);
    timings.droppedOption = r.json.seconds;
    expect(r.code).toBe(1);
    expect(r.json.status).toBe('ERROR');
    expect(r.json.title).toMatch(/CONFIG_ZONE_DEVICE=y was dropped: it depends on MEMORY_HOTPLUG \[=n\]/);
    expect(r.json.title).toMatch(/MEMORY_HOTPLUG is n/);
    expect(r.json.droppedOptions).toEqual([expect.objectContaining({ option: 'CONFIG_ZONE_DEVICE', requested: 'y', actual: 'absent' })]);
    expect(fs.readFileSync(path.join(out, 'c', 'build.log'), 'utf8')).not.toContain('# phase compile');
  }, 20 * MIN);

  it('builds an x86_64 tinyconfig + console fragment bzImage with artifacts and metadata', async () => {
    const dir = path.join(out, 'a');
    const r = await pfnlabBuild([...common(), '--fragment', fixture('tiny-console.config'), '--out', dir]);
    timings.x86TinyBuild = r.json.seconds;
    expect(r.json).toMatchObject({ status: 'PASS', arch: 'x86_64', droppedOptions: [], image: path.join(dir, 'bzImage') });
    expect(r.code).toBe(0);
    for (const f of ['bzImage', 'vmlinux', 'System.map', '.config', 'build.log', 'metadata.json']) {
      expect(r.json.artifacts).toContain(path.join(dir, f));
      expect(fs.statSync(path.join(dir, f)).size).toBeGreaterThan(0);
    }
    const config = fs.readFileSync(path.join(dir, '.config'), 'utf8');
    for (const opt of ['PRINTK', 'SERIAL_8250_CONSOLE', 'BLK_DEV_INITRD', 'DEVTMPFS', '64BIT']) expect(config).toContain(`CONFIG_${opt}=y\n`);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
    expect(meta).toMatchObject({ tree, ref: 'v6.1-debian', commit: gitRevParse(tree, 'v6.1-debian'), arch: 'x86_64', patches: [] });
    expect(meta.toolchain.versions.gcc).toMatch(/^gcc .*\d+\.\d+/);
    expect(meta.images.bzImage).toBeGreaterThan(200_000);
    expect(meta.images.vmlinux).toBeGreaterThan(meta.images.bzImage);
    expect(meta.objects).toBeGreaterThan(100);
    // Progress went through every phase and counted up to 100%.
    expect(r.stderr).toMatch(/build: fetch[\s\S]*build: patch[\s\S]*build: config[\s\S]*build: compile 0%[\s\S]*build: compile 100%[\s\S]*build: package/);
  }, 60 * MIN);

  it('fails a patch that breaks compilation with the compiler error as the title', async () => {
    const r = await pfnlabBuild([...common(), '--fragment', fixture('tiny-console.config'), '--patch', fixture('0001-break-compile.patch'), '--out', path.join(out, 'd')]);
    timings.compileError = r.json.seconds;
    expect(r.code).toBe(1);
    expect(r.json.status).toBe('FAIL');
    expect(r.json.title).toMatch(/^init\/main\.c:714: error: expected expression before ';' token$/);
    expect(fs.readFileSync(path.join(out, 'd', 'build.log'), 'utf8')).toContain('int x = ;');
  }, 60 * MIN);

  it('cross-builds arm64 tinyconfig to Image and Image.gz', async () => {
    const dir = path.join(out, 'e');
    const r = await pfnlabBuild(['--tree', tree, '--ref', 'v6.1-debian', '--arch', 'arm64', '--config', 'tinyconfig', '--out', dir]);
    timings.arm64TinyBuild = r.json.seconds;
    expect(r.json).toMatchObject({ status: 'PASS', arch: 'arm64', image: path.join(dir, 'Image') });
    expect(r.json.artifacts).toContain(path.join(dir, 'Image.gz'));
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
    expect(meta.toolchain.versions['aarch64-linux-gnu-gcc']).toMatch(/^aarch64-linux-gnu-gcc/);
    expect(meta.images.Image).toBeGreaterThan(100_000);
  }, 60 * MIN);
});
