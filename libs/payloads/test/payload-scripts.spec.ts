import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inlinedPayloadScript, parsePayloadOutput, payloadFiles, payloadScriptDir, PAYLOAD_SCRIPTS, type PayloadResult } from '@pfnlab/payloads';

/*
 * The sh payloads under every POSIX shell they must run on (dash, bash,
 * busybox ash), against fake sysfs/proc trees (PFNLAB_MEM_ROOT & co.):
 * block selection, SKIP reasons, marker lines that the parser reads
 * without a single problem. The real kernel side is in test/payloads.
 */

const SHELLS = [['dash'], ['bash', '--posix'], ['busybox', 'sh']].filter(([b]) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0);
const DIR = payloadScriptDir();

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-payload-spec-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(shell: string[], script: string, args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string; r: PayloadResult } {
  const p = spawnSync(shell[0], [...shell.slice(1), path.join(DIR, script), ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TMPDIR: tmp, ...env } });
  return { code: p.status ?? -1, out: p.stdout, err: p.stderr, r: parsePayloadOutput(p.stdout) };
}

/** memoryN dirs: [n, state, valid_zones, removable?] */
function fakeMemory(blocks: Array<[number, string, string, string?]>): string {
  const root = path.join(tmp, 'memory');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'block_size_bytes'), '8000000\n');
  for (const [n, state, zones, removable] of blocks) {
    const d = path.join(root, `memory${n}`);
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'state'), `${state}\n`);
    fs.writeFileSync(path.join(d, 'valid_zones'), `${zones}\n`);
    fs.writeFileSync(path.join(d, 'phys_index'), `${n.toString(16).padStart(8, '0')}\n`);
    if (removable !== undefined) fs.writeFileSync(path.join(d, 'removable'), `${removable}\n`);
  }
  return root;
}

function fakeIomem(): string {
  const f = path.join(tmp, 'iomem');
  fs.writeFileSync(f, '00000000-00000fff : Reserved\n00100000-3ffdffff : System RAM\n  09000000-09e01fff : Kernel code\n  0a000000-0a5fffff : Kernel rodata\n');
  return f;
}

describe.each(SHELLS.map((s) => [s.join(' '), s]))('payloads under %s', (_name, shell) => {
  it('hotplug-offline-online: only movable blocks, never memory0 nor the kernel image, timed in ns', () => {
    const mem = fakeMemory([[0, 'online', 'Normal'], [1, 'online', 'Movable'], [2, 'online', 'Normal'], [9, 'online', 'Movable'], [10, 'online', 'Movable', '0'],
      [11, 'online', 'none'], [12, 'offline', 'Normal Movable'], [13, 'online', 'Movable'], [14, 'online', 'Movable']]);
    const { code, r } = run(shell, 'hotplug-offline-online.sh', ['1', '2'], { PFNLAB_MEM_ROOT: mem, PFNLAB_IOMEM: fakeIomem() });
    expect(code).toBe(0);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ payload: 'hotplug-offline-online', status: 'ok' });
    // memory1 holds the kernel (0x09000000 / 128 MiB); memory10 not removable; memory11 spans zones; memory12 offline
    expect(r.info.filter((i) => i.block).map((i) => i.block)).toEqual(['memory9', 'memory13']);
    expect(r.info).toContainEqual({ kernel_ranges: 'known', kernel_blocks: '1' });
    expect(r.info).toContainEqual(expect.objectContaining({ chosen: '2', movable: '3', excluded_kernel: '2', not_removable: '1', mixed_zones: '1' }));
    expect(r.samples.map((s) => [s.metric, s.labels.block, s.unit])).toEqual([
      ['offline', 'memory9', 'ns'], ['online', 'memory9', 'ns'], ['offline', 'memory13', 'ns'], ['online', 'memory13', 'ns']]);
    expect(r.samples.every((s) => s.value > 0 && s.iteration === 0)).toBe(true);
    expect(r.clock?.source).toMatch(/^(timer_list|date|uptime)$/);
    // movable blocks go back online as movable
    expect(fs.readFileSync(path.join(mem, 'memory9', 'state'), 'utf8')).toBe('online_movable\n');
    expect(fs.readFileSync(path.join(mem, 'memory2', 'state'), 'utf8')).toBe('online\n');
  });

  it('hotplug-offline-online: policy any adds kernel-zone blocks (online again with "online"); unreadable blocks are left alone', () => {
    const mem = fakeMemory([[0, 'online', 'Normal'], [2, 'online', 'Normal'], [3, 'online', 'Movable']]);
    fs.rmSync(path.join(mem, 'memory3', 'state'));
    fs.mkdirSync(path.join(mem, 'memory3', 'state'));
    const { r } = run(shell, 'hotplug-offline-online.sh', ['2', '4', 'any'], { PFNLAB_MEM_ROOT: mem, PFNLAB_IOMEM: '/nonexistent' });
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('ok');
    expect(r.info).toContainEqual(expect.objectContaining({ kernel_ranges: 'unknown' }));
    expect(r.info.filter((i) => i.block).map((i) => [i.block, i.online_with])).toEqual([['memory2', 'online']]);
    expect(r.samples.filter((s) => s.metric === 'offline').map((s) => s.iteration)).toEqual([0, 1]);
    expect(r.end).toMatchObject({ iterations_done: '2', blocks_left: '1' });
  });

  it('pf_write_timed: the errno of a failed write, with and without the watchdog (busybox names it for echo only, not printf)', () => {
    for (const timeout of ['0', '5']) {
      // /dev/full: every write fails with ENOSPC, as a busy memory block's state fails with EBUSY
      const p = spawnSync(shell[0], [...shell.slice(1), '-c', '. "$1/pfnlab-common.sh"; pf_init t; pf_clock_init; pf_tmpdir t; pf_watchdog_start; pf_write_timed /dev/full offline; echo "$PF_OP_RC $PF_ERRNO $PF_OP_NS"; pf_watchdog_stop; rm -rf "$PF_TMP"', 'sh', DIR],
        { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TMPDIR: tmp, PFNLAB_OP_TIMEOUT: timeout } });
      const [rc, errno, ns] = p.stdout.trim().split(' ');
      expect(rc).toBe('1');
      // dash's message is "I/O error" whatever the errno was
      expect(errno).toBe(shell[0] === 'dash' ? 'EUNKNOWN' : 'ENOSPC');
      expect(Number(ns)).toBeGreaterThan(0);
    }
  });

  it('pf_section_bits: the memory section size per arch, kernel release and page size (counters.sh derives vmemmap_populate calls from it)', () => {
    const bits = (machine: string, release: string, page: number) => spawnSync(shell[0], [...shell.slice(1), '-c', '. "$1/pfnlab-common.sh"; pf_section_bits "$2" "$3" "$4" && echo "$PF_SECTION_BITS" || echo unknown', 'sh', DIR, machine, release, String(page)], { encoding: 'utf8' }).stdout.trim();
    // ppc64: 16 MiB sections, four times smaller than the pseries 256 MiB block (so not block size / phys_index)
    expect(bits('ppc64le', '6.1.0-50-powerpc64le', 65536)).toBe('24');
    expect(bits('s390x', '6.1.0-50-s390x', 4096)).toBe('28');
    expect(bits('x86_64', '6.1.0-50-amd64', 4096)).toBe('27');
    expect(bits('aarch64', '6.1.0-50-arm64', 4096)).toBe('27');
    expect(bits('aarch64', '6.1.0-50-arm64-64k', 65536)).toBe('29');
    expect(bits('aarch64', '5.10.0-30-arm64', 4096)).toBe('30');
    expect(bits('aarch64', '5.12.0', 4096)).toBe('27');
    expect(bits('riscv64', '6.1.0', 4096)).toBe('unknown');
    expect(bits('aarch64', 'weird', 4096)).toBe('unknown');
  });

  it('hotplug-offline-online: SKIP with a precise reason, FAIL on bad arguments', () => {
    const mem = fakeMemory([[0, 'online', 'Normal'], [2, 'online', 'DMA32'], [3, 'offline', 'Normal Movable']]);
    const { code, r } = run(shell, 'hotplug-offline-online.sh', ['3', '2'], { PFNLAB_MEM_ROOT: mem, PFNLAB_IOMEM: fakeIomem() });
    expect(code).toBe(0);
    expect(r).toMatchObject({ status: 'skip', skipReason: 'no_movable_block' });
    expect(r.skips[0].labels).toMatchObject({ policy: 'movable', online: '2', movable: '0', kernel_zone: '1' });
    expect(run(shell, 'hotplug-offline-online.sh', ['1', '1'], { PFNLAB_MEM_ROOT: path.join(tmp, 'none') }).r).toMatchObject({ status: 'skip', skipReason: 'no_memory_sysfs' });
    for (const args of [[], ['x', '1'], ['0', '1'], ['1', '1', 'nope']]) {
      const b = run(shell, 'hotplug-offline-online.sh', args, { PFNLAB_MEM_ROOT: mem });
      expect(b.code).toBe(2);
      expect(b.r.status).toBe('fail');
      expect(b.r.failReason).toMatch(/^bad_/);
    }
  });

  it('pfn-walk: kpageflags bytes and time, compaction time, per iteration', () => {
    const kpf = path.join(tmp, 'kpageflags');
    fs.writeFileSync(kpf, Buffer.alloc(8 * 4096));
    const compact = path.join(tmp, 'compact_memory');
    fs.writeFileSync(compact, '');
    const { r } = run(shell, 'pfn-walk.sh', ['2'], { PFNLAB_KPAGEFLAGS: kpf, PFNLAB_COMPACT: compact });
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('ok');
    expect(r.samples.filter((s) => s.metric === 'kpageflags_bytes').map((s) => s.value)).toEqual([32768, 32768]);
    expect(r.samples.filter((s) => s.metric === 'kpageflags_pfns').map((s) => [s.value, s.unit])).toEqual([[4096, 'pages'], [4096, 'pages']]);
    expect(r.samples.filter((s) => s.metric === 'kpageflags_read' || s.metric === 'compaction').every((s) => s.unit === 'ns' && s.value > 0)).toBe(true);
    expect(r.samples.filter((s) => s.metric === 'compaction')).toHaveLength(2);
    const none = run(shell, 'pfn-walk.sh', ['1'], { PFNLAB_KPAGEFLAGS: '/nonexistent', PFNLAB_COMPACT: '/nonexistent' }).r;
    expect(none).toMatchObject({ status: 'skip', skipReason: 'kpageflags:no_kpageflags; compaction:no_compaction' });
  });

  it('zone-device: SKIP with the reason of each part', () => {
    const { r } = run(shell, 'zone-device.sh', ['2'], { PFNLAB_MODULES_DIR: path.join(tmp, 'modules'), PFNLAB_DAX_SYSFS: path.join(tmp, 'dax') });
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('skip');
    expect(r.skips.map((s) => [s.part, s.reason, s.detail])).toEqual([['test_hmm', 'module_missing', 'no_modules_dir'], ['dax_kmem', 'no_devdax_namespace', undefined]]);
  });

  it('hotplug-add-remove-guest: prepare, wait-added while blocks appear, online, offline, wait-removed', async () => {
    const mem = fakeMemory([[0, 'online', 'Normal'], [1, 'online', 'Normal']]);
    const env = { ...process.env, TMPDIR: tmp, PFNLAB_MEM_ROOT: mem, PFNLAB_HOTPLUG_STATE: path.join(tmp, 'state') };
    const phase = (...args: string[]) => {
      const p = spawnSync(shell[0], [...shell.slice(1), path.join(DIR, 'hotplug-add-remove-guest.sh'), ...args], { encoding: 'utf8', env, timeout: 30_000 });
      return parsePayloadOutput(p.stdout);
    };
    const phaseAsync = (...args: string[]) => new Promise<PayloadResult>((resolve) => {
      const c = spawn(shell[0], [...shell.slice(1), path.join(DIR, 'hotplug-add-remove-guest.sh'), ...args], { env });
      let o = '';
      c.stdout.on('data', (d) => (o += d));
      c.on('close', () => resolve(parsePayloadOutput(o)));
    });
    expect(phase('prepare')).toMatchObject({ status: 'ok', info: [{ blocks: '2' }] });
    // wait-added in the background; the "host" adds two blocks once it printed ready=1
    const child = spawn(shell[0], [...shell.slice(1), path.join(DIR, 'hotplug-add-remove-guest.sh'), 'wait-added', '2', '20'], { env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const done = new Promise<void>((resolve) => child.on('close', () => resolve()));
    for (let i = 0; i < 200 && !/ready=1/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(/ready=1/);
    for (const n of [32, 33]) {
      fs.mkdirSync(path.join(mem, `memory${n}`));
      fs.writeFileSync(path.join(mem, `memory${n}`, 'state'), 'offline\n');
    }
    await done;
    const added = parsePayloadOutput(out);
    expect(added.problems).toEqual([]);
    expect(added.status).toBe('ok');
    expect(added.samples.filter((s) => s.metric === 'block_visible').map((s) => s.labels.block).sort()).toEqual(['memory32', 'memory33']);
    expect(added.samples.find((s) => s.metric === 'add_visible')).toMatchObject({ unit: 'ns', labels: { blocks: '2' } });
    const on = phase('online');
    expect(on.samples.filter((s) => s.metric === 'online').map((s) => [s.labels.block, s.labels.type])).toEqual([['memory32', 'online_movable'], ['memory33', 'online_movable']]);
    // the fake state now reads online_movable: offline finds nothing online and says so
    for (const n of [32, 33]) fs.writeFileSync(path.join(mem, `memory${n}`, 'state'), 'online\n');
    const off = phase('offline');
    expect(off.samples.filter((s) => s.metric === 'offline')).toHaveLength(2);
    setTimeout(() => { for (const n of [32, 33]) fs.rmSync(path.join(mem, `memory${n}`), { recursive: true, force: true }); }, 300);
    const gone = await phaseAsync('wait-removed', '20');
    expect(gone.status).toBe('ok');
    expect(gone.samples.filter((s) => s.metric === 'block_gone')).toHaveLength(2);
    expect(gone.samples.find((s) => s.metric === 'remove_visible')!.value).toBeGreaterThan(0);
    expect(phase('wait-removed', '1')).toMatchObject({ status: 'skip', skipReason: 'no_added_block' });
    expect(phase('cleanup').status).toBe('ok');
    expect(fs.existsSync(path.join(tmp, 'state'))).toBe(false);
  }, 60_000);

  it('wait-added times out as a FAIL when the host added nothing', () => {
    const mem = fakeMemory([[0, 'online', 'Normal']]);
    const r = run(shell, 'hotplug-add-remove-guest.sh', ['wait-added', '1', '1'], { PFNLAB_MEM_ROOT: mem, PFNLAB_HOTPLUG_STATE: path.join(tmp, 'st') }).r;
    expect(r).toMatchObject({ status: 'fail', failReason: 'timeout_waiting_for_blocks', countTotals: { add_timeout: 1 } });
  });

  it('counters.sh: usage errors are a FAIL line, not a shell error', () => {
    const r = run(shell, 'counters.sh', ['explode', path.join(tmp, 'c')]);
    expect(r.code).toBe(2);
    expect(r.r).toMatchObject({ payload: 'counters', status: 'fail', failReason: 'usage' });
  });
});

describe('payload files', () => {
  it('every script sources the common functions through the line that inlining replaces', () => {
    for (const name of PAYLOAD_SCRIPTS) {
      const files = payloadFiles(name);
      expect(files.map(([n]) => n)).toEqual([name, 'pfnlab-common.sh']);
      const text = inlinedPayloadScript(name);
      expect(text).not.toMatch(/pfnlab:inline-common/);
      expect(text).toMatch(/^pf_emit\(\) \{/m);
      expect(spawnSync('dash', ['-n'], { input: text }).status).toBe(0);
    }
  });

  it('the inlined script runs from stdin (sh -s) with the same output', () => {
    const mem = fakeMemory([[0, 'online', 'Normal'], [5, 'online', 'Movable']]);
    const p = spawnSync('sh', ['-s', '1', '1'], { input: inlinedPayloadScript('hotplug-offline-online.sh'), encoding: 'utf8', env: { ...process.env, TMPDIR: tmp, PFNLAB_MEM_ROOT: mem, PFNLAB_IOMEM: '/nonexistent' } });
    const r = parsePayloadOutput(p.stdout);
    expect(r.problems).toEqual([]);
    expect(r.samples.map((s) => s.metric)).toEqual(['offline', 'online']);
  });

  it('are POSIX: checkbashisms finds nothing', () => {
    const cb = spawnSync('sh', ['-c', 'command -v checkbashisms']).stdout?.toString().trim();
    // Installed by scripts/lib.sh (ensure_build_deps); a missing tool must fail, not pass silently.
    if (!cb) throw new Error('checkbashisms is missing: apt-get install devscripts (scripts/lib.sh ensure_build_deps does)');
    const r = spawnSync(cb, ['-p', '-x', ...fs.readdirSync(DIR).filter((f) => f.endsWith('.sh')).map((f) => path.join(DIR, f))], { encoding: 'utf8' });
    expect(r.stderr.replace(/script .*pfnlab-common.sh does not appear.*\n.*\n/g, '')).toBe('');
    expect(r.status).toBe(0);
  });
});
