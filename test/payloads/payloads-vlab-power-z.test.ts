import * as path from 'node:path';
import { countOf, hotplugAddRemovePlan, type PayloadCounter, type PayloadResult } from '@pfnlab/payloads';
import { DriverTestLab } from '../machines/vlab-fixture';
import { GuestPayloads, guestArgs, hostStepsBetween, log, Qmp, REMOTE_DIR } from './payload-helpers';

/*
 * hotplug-offline-online with counters on the virtual lab's ppc64le (p9-01,
 * pseries POWER9) and s390x (z15-lpar-01) Debian 6.1 kernels, through SSH as
 * the agent runs them.
 *
 * Where the movable blocks come from: neither machine can hot-add movable
 * memory under the stock QEMU 7.2 (pseries pc-dimm memory is onlined by the
 * kernel itself into ZONE_NORMAL; s390x has no memory device at all), so
 * they come from boot memory: the known-good kernel is staged for one boot
 * (the netboot path a job's extra cmdline takes) with `movablecore=`, which
 * puts the top of RAM into ZONE_MOVABLE. Boot-time (memblock) allocations
 * land at the top of RAM too, and a movable block holding such a page
 * (PG_reserved) cannot be offlined (EBUSY: "unmovable page"): on p9-01 one
 * 64 KiB page right below 768 MiB (probably RTAS, which prom_init puts at
 * the top of the RMA) and the early allocations below 1 GiB, on z15-lpar-01
 * those below 1 GiB. Which blocks are clean is read from
 * /proc/kpageflags before the loop, independently of the payload.
 *
 * A private lab (own data dir and port base); one machine at a time.
 */

jest.setTimeout(900_000);
const lab = new DriverTestLab('/tmp/pfnlab-vlab-payloads-pz', 22900);
const MiB = 1024 * 1024;
const CTR = '/tmp/pfnlab-counters';
/** 768 of the 1024 MiB: three 256 MiB blocks movable, the first (the kernel's) not. */
const MOVABLECORE = '768M';
const MOVABLECORE_BYTES = 768 * MiB;
/** One more than the payload's 3 failed offlines in a row that drop a block: the drop is visible. */
const ITERATIONS = 4;
const DROP_AFTER = 3;
const KPF_RESERVED = 32n; // include/uapi/linux/kernel-page-flags.h

beforeAll(() => lab.up(), 900_000);
afterAll(() => lab.down());

const kprobe = (r: PayloadResult, name: string): PayloadCounter | undefined => r.counters.find((c) => c.name === name && c.source === 'kprobe');
const derived = (r: PayloadResult, name: string) => r.counters.find((c) => c.name === name && c.source === 'derived');
const metric = (r: PayloadResult, m: string) => r.samples.filter((s) => s.metric === m);
const summary = (r: PayloadResult) => r.samples.map((s) => `${s.metric}[${s.labels.block}${s.iteration === undefined ? '' : `/${s.iteration}`}]=${(s.value / 1e6).toFixed(1)}ms`).join(' ');
const unavailable = (r: PayloadResult) => r.unavailable.map((u) => `${u.counter}:${u.reason}`).sort();

interface Case {
  machine: string;
  uname: string;
  /** What the kernel cannot count and why (Debian 6.1 on this arch: no ZONE_DEVICE, __meminit is notrace, pfn_valid inline, no perf in the image). */
  unavailable: string[];
}

const CASES: Case[] = [
  { machine: 'p9-01', uname: 'ppc64le', unavailable: ['memremap_pages:not_in_kernel', 'perf:no_perf_binary', 'pfn_valid:inlined', 'sparse_add_section:notrace_function', 'vmemmap_populate:notrace_function'] },
  { machine: 'z15-lpar-01', uname: 's390x', unavailable: ['memremap_pages:not_in_kernel', 'perf:no_perf_binary', 'pfn_valid:inlined', 'sparse_add_section:notrace_function', 'vmemmap_populate:notrace_function'] },
];

/** The online blocks and their zone, straight from sysfs (not through the payload). */
async function zonesOf(g: GuestPayloads): Promise<Map<string, string>> {
  const out = await g.sh('cd /sys/devices/system/memory && for b in memory*; do [ "$(cat $b/state)" = online ] && echo "$b $(cat $b/valid_zones)"; done; true');
  return new Map(out.trim().split('\n').filter(Boolean).map((l) => l.split(' ', 2) as [string, string]));
}

/** How many pages of memory block N are PG_reserved, from /proc/kpageflags (native-endian u64 per pfn, decoded by od in the guest). */
async function reservedPages(g: GuestPayloads, block: string, blockSize: number, pageSize: number): Promise<number> {
  const n = Number(block.replace('memory', ''));
  const bytes = (blockSize / pageSize) * 8;
  const hex = await g.sh(`dd if=/proc/kpageflags bs=${bytes} skip=${n} count=1 2>/dev/null | od -An -v -tx8`);
  const flags = hex.split(/\s+/).filter(Boolean);
  if (flags.length !== blockSize / pageSize) throw new Error(`${block}: ${flags.length} kpageflags entries, expected ${blockSize / pageSize}`);
  return flags.filter((f) => (BigInt(`0x${f}`) >> KPF_RESERVED) & 1n).length;
}

async function pageSizeOf(g: GuestPayloads): Promise<number> {
  return Number((await g.sh("awk '/KernelPageSize/ { print $2 * 1024; exit }' /proc/self/smaps")).trim());
}

async function powerOff(g: GuestPayloads | undefined): Promise<void> {
  g?.close();
  if (g) await lab.drivers(g.machine).power.off().catch(() => undefined);
}

describe.each(CASES.map((c) => [c.machine, c] as const))('%s (Debian 6.1): offline/online loops on ZONE_MOVABLE boot memory, with counters', (name, c) => {
  let g: GuestPayloads | undefined;
  afterAll(() => powerOff(g));

  it('known-good boot (no movablecore=): every block is in a kernel zone, the payload SKIPs with no_movable_block', async () => {
    g = await GuestPayloads.boot(lab, name);
    expect((await g.sh('uname -m')).trim()).toBe(c.uname);
    const zones = await zonesOf(g);
    expect(zones.size).toBeGreaterThan(1);
    expect([...zones.values()].filter((z) => z.split(' ').includes('Movable'))).toEqual([]);
    const { code, r } = await g.run('hotplug-offline-online.sh', [String(ITERATIONS), '4']);
    log(`${name}: without movablecore: ${r.status} ${r.skipReason} ${JSON.stringify(r.skips[0]?.labels)}`);
    expect(code).toBe(0);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ status: 'skip', skipReason: 'no_movable_block' });
    expect(r.skips[0].labels).toMatchObject({ policy: 'movable', movable: '0', online: String(zones.size), kernel_zone: String(zones.size - 1), excluded_kernel: '1' });
    await powerOff(g);
    g = undefined;
  });

  it(`booted with movablecore=${MOVABLECORE}: ${ITERATIONS} iterations over the movable blocks, each offline and online timed; blocks with boot-reserved pages fail EBUSY and are dropped; online_pages/offline_pages calls match`, async () => {
    const m = lab.machine(name);
    const d = lab.drivers(m);
    if ((await d.power.status()) === 'on') await d.power.off();
    const def = lab.defaultBoot(name);
    await d.boot.stage({ kernelPath: def.kernel, initrdPath: def.initrd, cmdline: [...def.cmdline.filter((p) => !p.startsWith('console=')), `movablecore=${MOVABLECORE}`] });
    g = await GuestPayloads.boot(lab, name);
    expect(await g.sh('cat /proc/cmdline')).toContain(`movablecore=${MOVABLECORE}`);
    const blockSize = parseInt((await g.sh('cat /sys/devices/system/memory/block_size_bytes')).trim(), 16);
    const pageSize = await pageSizeOf(g);
    const zones = await zonesOf(g);
    const movable = [...zones].filter(([, z]) => z === 'Movable').map(([b]) => b);
    // the top of RAM, in whole blocks
    expect(movable.length).toBe(MOVABLECORE_BYTES / blockSize);
    const reserved = new Map<string, number>();
    for (const b of movable) reserved.set(b, await reservedPages(g, b, blockSize, pageSize));
    const clean = movable.filter((b) => reserved.get(b) === 0);
    const busy = movable.filter((b) => reserved.get(b)! > 0);
    log(`${name}: block ${blockSize / MiB} MiB, page ${pageSize / 1024} KiB; movable ${movable.map((b) => `${b}(${reserved.get(b)} reserved pages)`).join(' ')}`);
    // at least one block to loop over, and the top one holds boot allocations on both
    expect(clean.length).toBeGreaterThanOrEqual(1);
    expect(busy).toContain(movable[movable.length - 1]);

    expect((await g.run('counters.sh', ['start', CTR])).r.status).toBe('ok');
    const { code, r } = await g.run('hotplug-offline-online.sh', [String(ITERATIONS), String(movable.length)]);
    const ctr = (await g.run('counters.sh', ['stop', CTR])).r;
    log(`${name} offline-online: ${summary(r)}; clock ${JSON.stringify(r.clock)}; counts ${r.counts.map((x) => `${x.metric}${JSON.stringify(x.labels)}=${x.value}`).join(' ')}`);
    log(`${name} counters: ${ctr.counters.filter((x) => x.source !== 'vmstat').map((x) => `${x.name}/${x.source} calls=${x.calls ?? x.value} mean=${x.meanNs ?? '-'}`).join('; ')}`);
    log(`${name} unavailable: ${ctr.unavailable.map((u) => `${u.counter}:${u.reason}${u.detail ? `(${u.detail})` : ''}`).join(' ')}`);

    expect(code).toBe(0);
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('ok');
    expect(r.params).toMatchObject({ arch: c.uname });
    expect(r.info).toContainEqual(expect.objectContaining({ block_size_bytes: String(blockSize) }));
    expect(r.info.filter((i) => i.block).map((i) => [i.block, i.zone, i.online_with])).toEqual(movable.map((b) => [b, 'Movable', 'online_movable']));
    expect(r.end).toMatchObject({ iterations_done: String(ITERATIONS), blocks_left: String(clean.length) });

    // clean blocks: one offline and one online per iteration, in order, each > 0 ns
    const off = metric(r, 'offline');
    const on = metric(r, 'online');
    const expected = Array.from({ length: ITERATIONS }, (_, i) => clean.map((b) => [b, i])).flat();
    expect(off.map((s) => [s.labels.block, s.iteration])).toEqual(expected);
    expect(on.map((s) => [s.labels.block, s.iteration])).toEqual(expected);
    expect([...off, ...on].every((s) => s.unit === 'ns' && s.value > 0 && s.labels.zone === 'Movable')).toBe(true);
    // blocks with boot-reserved pages: EBUSY (named, not EUNKNOWN) three times in a row, then dropped
    for (const b of busy) {
      expect(countOf(r, 'offline_error', { block: b, errno: 'EBUSY' })).toBe(DROP_AFTER);
      expect(countOf(r, 'block_dropped', { block: b, errno: 'EBUSY' })).toBe(1);
      expect(metric(r, 'offline_failed').filter((s) => s.labels.block === b).map((s) => s.iteration)).toEqual([0, 1, 2]);
    }
    expect(countOf(r, 'offline_error')).toBe(DROP_AFTER * busy.length);
    for (const e of ['online_error', 'not_online', 'restore_error']) expect(countOf(r, e)).toBe(0);
    // every block is back where it was
    expect(await zonesOf(g)).toEqual(zones);

    expect(ctr.problems).toEqual([]);
    expect(ctr.status).toBe('ok');
    const offlinePages = kprobe(ctr, 'offline_pages')!;
    const onlinePages = kprobe(ctr, 'online_pages')!;
    // one offline_pages() per write of "offline", failed or not; one online_pages() per online
    expect(offlinePages).toMatchObject({ calls: off.length + countOf(r, 'offline_error'), method: 'kretprobe_hist', labels: expect.objectContaining({ missed: '0' }) });
    expect(onlinePages).toMatchObject({ calls: ITERATIONS * clean.length, method: 'kretprobe_hist', labels: expect.objectContaining({ missed: '0' }) });
    for (const k of [offlinePages, onlinePages]) {
      expect(k.meanNs!).toBeGreaterThan(0);
      expect(k.maxNs!).toBeGreaterThanOrEqual(k.meanNs!);
    }
    // the kernel's part of each is within the shell's measurement of it
    const shellOffline = [...off, ...metric(r, 'offline_failed')].reduce((s, x) => s + x.value, 0);
    expect(offlinePages.totalNs!).toBeLessThanOrEqual(shellOffline);
    expect(onlinePages.totalNs!).toBeLessThanOrEqual(on.reduce((s, x) => s + x.value, 0));
    // offline scans the block's pfns through pfn_to_online_page (pfn_valid's out-of-line caller)
    expect(kprobe(ctr, 'pfn_to_online_page')).toMatchObject({ role: 'caller_of:pfn_valid' });
    expect(kprobe(ctr, 'pfn_to_online_page')!.calls!).toBeGreaterThan(0);
    // no memory was added or removed
    expect(kprobe(ctr, '__add_pages')).toMatchObject({ calls: 0 });
    expect(kprobe(ctr, 'vmemmap_free')).toMatchObject({ calls: 0 });
    expect(derived(ctr, 'vmemmap_populate')).toMatchObject({ calls: 0 });
    // what this kernel cannot count, each with its reason; nothing is both counted and unavailable
    expect(unavailable(ctr)).toEqual(c.unavailable);
    const counted = new Set(ctr.counters.map((x) => x.name));
    expect(ctr.unavailable.filter((u) => counted.has(u.counter) && u.counter !== 'vmemmap_populate' && u.counter !== 'sparse_add_section')).toEqual([]);
    expect(ctr.counters.find((x) => x.name === 'warn_count')).toMatchObject({ value: 0 });
    expect(ctr.info).toContainEqual({ cleanup: 'clean' });
    expect(await g.sh('cat /sys/kernel/tracing/kprobe_events /sys/kernel/tracing/synthetic_events; ls /sys/kernel/tracing/instances')).not.toMatch(/pfnlab/);
    await g.sh(`rm -rf ${CTR} ${REMOTE_DIR}`);
  });
});

describe('p9-01 (ppc64le, Debian 6.1): pc-dimm add and remove through QMP with counters (pseries DLPAR)', () => {
  let g: GuestPayloads | undefined;
  let qmp: Qmp | undefined;
  afterAll(async () => {
    qmp?.close();
    await powerOff(g);
  });

  it('derived vmemmap_populate calls on the add equal the vmemmap_free calls on the removal: one per 16 MiB section, 16 per 256 MiB LMB', async () => {
    g = await GuestPayloads.boot(lab, 'p9-01');
    qmp = await Qmp.connect(path.join(lab.dir, 'machines', 'p9-01', 'qmp.sock'));
    const blockSize = parseInt((await g.sh('cat /sys/devices/system/memory/block_size_bytes')).trim(), 16);
    const pageSize = await pageSizeOf(g);
    // pseries onlines the LMBs of a DIMM itself: no guest online phase
    const plan = hotplugAddRemovePlan({ method: 'pc-dimm', sizeBytes: 2 * blockSize, blockSizeBytes: blockSize, index: 1, onlineType: 'none', timeoutS: 180 });
    const q = qmp;
    const start = (await g.run('counters.sh', ['start', CTR])).r;
    expect((await g.run('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'prepare'))).r.status).toBe('ok');
    const added = (await g.runAround('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'wait-added'), async () => { await q.runSteps(hostStepsBetween(plan.steps, 'wait-added')); })).r;
    const ctrAdd = (await g.run('counters.sh', ['stop', CTR])).r;
    expect((await g.run('counters.sh', ['start', CTR])).r.status).toBe('ok');
    const offline = (await g.run('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'offline'))).r;
    const removed = (await g.runAround('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'wait-removed'), async () => { await q.runSteps(hostStepsBetween(plan.steps, 'wait-removed')); })).r;
    const ctrRemove = (await g.run('counters.sh', ['stop', CTR])).r;
    await g.run('hotplug-add-remove-guest.sh', ['cleanup']);
    log(`p9-01 pc-dimm: ${summary(added)} | ${summary(offline)} | ${summary(removed)}`);
    log(`p9-01 pc-dimm counters: add ${JSON.stringify(derived(ctrAdd, 'vmemmap_populate'))} ${JSON.stringify(kprobe(ctrAdd, '__add_pages'))}; remove ${JSON.stringify(kprobe(ctrRemove, 'vmemmap_free'))}`);

    for (const r of [start, added, offline, removed, ctrAdd, ctrRemove]) {
      expect(r.problems).toEqual([]);
      expect(r.status).toBe('ok');
    }
    // $argN is refused on this kernel; __add_pages' pfn and nr_pages come from r4/r5
    expect(start.info).toContainEqual({ add_pages_args: 'registers' });
    expect(start.info).toContainEqual(expect.objectContaining({ probe: 'vmemmap_populate', mode: 'derived', section_bytes: String(16 * MiB) }));
    expect(metric(added, 'block_visible').map((s) => s.labels.state)).toEqual(['online', 'online']);
    expect(metric(offline, 'offline')).toHaveLength(2);
    expect(metric(removed, 'block_gone')).toHaveLength(2);
    // DLPAR adds LMB by LMB: one __add_pages per block, each of a whole block's pages
    expect(kprobe(ctrAdd, '__add_pages')).toMatchObject({ calls: 2 });
    const populate = derived(ctrAdd, 'vmemmap_populate')!;
    expect(populate.labels).toMatchObject({ add_pages_calls: '2', pages: String((2 * blockSize) / pageSize) });
    // the kprobe'd vmemmap_free (one per section on removal) checks the derivation
    const freed = kprobe(ctrRemove, 'vmemmap_free')!.calls!;
    expect(populate.calls).toBe(freed);
    expect(populate.calls).toBe((2 * blockSize) / (16 * MiB));
    expect(derived(ctrAdd, 'sparse_add_section')!.calls).toBe(freed);
    expect(ctrAdd.info).toContainEqual({ cleanup: 'clean' });
    expect(ctrRemove.info).toContainEqual({ cleanup: 'clean' });
  });
});
