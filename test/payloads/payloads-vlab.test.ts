import * as path from 'node:path';
import { QmpClient } from '@pfnlab/machines';
import { countOf, hotplugAddRemovePlan, type PayloadCounter, type PayloadResult } from '@pfnlab/payloads';
import { DriverTestLab } from '../machines/vlab-fixture';
import { GuestPayloads, guestArgs, hostStepsBetween, log, REMOTE_DIR, runQmpSteps } from './payload-helpers';

/*
 * The payloads of libs/payloads on the virtual lab's Debian 6.1 kernels,
 * through SSH as the agent will run them: x86-01 (q35, virtio-mem and
 * pc-dimm) and tx2-01 (arm64 virt, virtio-mem). A private lab (own data dir
 * and port base); one machine at a time (the host has 2 cores).
 */

jest.setTimeout(600_000);
const lab = new DriverTestLab('/tmp/pfnlab-vlab-payloads', 22700);
const MiB = 1024 * 1024;
const CTR = '/tmp/pfnlab-counters';

beforeAll(() => lab.up(), 900_000);
afterAll(() => lab.down());

const counter = (r: PayloadResult, name: string): PayloadCounter | undefined => r.counters.find((c) => c.name === name && c.source !== 'derived') ?? r.counters.find((c) => c.name === name);
const derived = (r: PayloadResult, name: string) => r.counters.find((c) => c.name === name && c.source === 'derived');
const metric = (r: PayloadResult, m: string) => r.samples.filter((s) => s.metric === m);
const summary = (r: PayloadResult) => r.samples.map((s) => `${s.metric}${s.labels.block ? `[${s.labels.block}]` : ''}=${s.unit === 'ns' ? `${(s.value / 1e6).toFixed(1)}ms` : `${s.value}${s.unit}`}`).join(' ');
const median = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y); return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2; };

async function noProbesLeft(g: GuestPayloads): Promise<void> {
  const t = await g.sh('cat /sys/kernel/tracing/kprobe_events /sys/kernel/tracing/synthetic_events; ls /sys/kernel/tracing/instances');
  expect(t).not.toMatch(/pfnlab/);
}

/** The virtio-mem add (plug) cycle, guest phases timed, counters around it. */
async function virtioMemAdd(g: GuestPayloads, qmp: QmpClient, sizeBytes: number, currentBytes: number) {
  const plan = hotplugAddRemovePlan({ method: 'virtio-mem', sizeBytes, blockSizeBytes: 128 * MiB, virtioMemCurrentBytes: currentBytes, timeoutS: 180 });
  expect((await g.run('counters.sh', ['start', CTR])).r.status).toBe('ok');
  expect((await g.run('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'prepare'))).r.status).toBe('ok');
  const added = await g.runAround('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'wait-added'), async () => { await runQmpSteps(qmp, hostStepsBetween(plan.steps, 'wait-added')); });
  const online = await g.run('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'online'));
  const ctr = await g.run('counters.sh', ['stop', CTR]);
  return { plan, added: added.r, online: online.r, ctr: ctr.r };
}

async function virtioMemRemove(g: GuestPayloads, qmp: QmpClient, plan: ReturnType<typeof hotplugAddRemovePlan>) {
  expect((await g.run('counters.sh', ['start', CTR])).r.status).toBe('ok');
  // virtio-mem unplugs online movable memory itself: no offline phase in its plan
  expect(plan.steps.map((s) => s.id)).not.toContain('offline');
  const removed = await g.runAround('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'wait-removed'), async () => { await runQmpSteps(qmp, hostStepsBetween(plan.steps, 'wait-removed')); });
  const ctr = await g.run('counters.sh', ['stop', CTR]);
  await g.run('hotplug-add-remove-guest.sh', ['cleanup']);
  return { removed: removed.r, ctr: ctr.r };
}

describe('x86-01 (x86_64, Debian 6.1): payloads and counters', () => {
  let g: GuestPayloads;
  let qmp: QmpClient;
  let virtioPlan: ReturnType<typeof hotplugAddRemovePlan>;

  beforeAll(async () => {
    g = await GuestPayloads.boot(lab, 'x86-01');
    qmp = await QmpClient.connect(path.join(lab.dir, 'machines', 'x86-01', 'qmp.sock'));
  }, 600_000);
  afterAll(async () => {
    qmp?.close();
    g?.close();
    if (g) await lab.drivers(g.machine).power.off().catch(() => undefined);
  });

  it('hotplug-offline-online SKIPs with a precise reason: a fresh 1 GiB guest has no movable block', async () => {
    const { code, r } = await g.run('hotplug-offline-online.sh', ['2', '2']);
    expect(code).toBe(0);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ status: 'skip', skipReason: 'no_movable_block' });
    expect(r.skips[0].labels).toMatchObject({ policy: 'movable', movable: '0' });
    expect(Number(r.skips[0].labels.online)).toBeGreaterThanOrEqual(7);
    expect(r.info).toContainEqual(expect.objectContaining({ kernel_ranges: 'known' }));
    log(`x86-01: offline-online with no movable block: SKIP ${r.skipReason} ${JSON.stringify(r.skips[0].labels)}`);
  });

  it('virtio-mem hot-add of 256 MiB: blocks appear and online (timed); counters show __add_pages and vmemmap_populate calls', async () => {
    const { plan, added, online, ctr } = await virtioMemAdd(g, qmp, 256 * MiB, 0);
    virtioPlan = plan;
    log(`x86-01 virtio-mem add: ${summary(added)} | ${summary(online)}`);
    expect(added.problems).toEqual([]);
    expect(added.status).toBe('ok');
    expect(metric(added, 'block_visible')).toHaveLength(2);
    expect(metric(added, 'add_visible')[0]).toMatchObject({ unit: 'ns', labels: { blocks: '2' } });
    expect(online.status).toBe('ok');
    expect(metric(online, 'online').map((s) => s.labels.type)).toEqual(['online_movable', 'online_movable']);
    expect(metric(online, 'online').every((s) => s.value > 0)).toBe(true);

    expect(ctr.problems).toEqual([]);
    expect(ctr.status).toBe('ok');
    log(`x86-01 counters: ${ctr.counters.filter((c) => c.source !== 'vmstat').map((c) => `${c.name}/${c.source} calls=${c.calls ?? c.value} mean=${c.meanNs ?? '-'}`).join('; ')}`);
    log(`x86-01 unavailable: ${ctr.unavailable.map((u) => `${u.counter}:${u.reason}`).join(' ')}`);
    // Debian's 6.1: kprobe_events refuse notrace (__meminit) functions; counted from __add_pages' arguments
    expect(ctr.unavailable).toContainEqual(expect.objectContaining({ counter: 'vmemmap_populate', reason: 'notrace_function' }));
    expect(derived(ctr, 'vmemmap_populate')!.calls).toBe(2); // one 128 MiB section per block
    expect(derived(ctr, 'sparse_add_section')!.calls).toBe(2);
    const add = counter(ctr, '__add_pages')!;
    expect(add).toMatchObject({ source: 'kprobe', calls: 2 });
    expect(add.meanNs!).toBeGreaterThan(0);
    expect(add.maxNs!).toBeGreaterThanOrEqual(add.meanNs!);
    expect(counter(ctr, 'online_pages')).toMatchObject({ calls: 2 });
    expect(counter(ctr, 'memremap_pages')).toMatchObject({ calls: 0 }); // ZONE_DEVICE=y on x86: probed, unused here
    expect(ctr.unavailable).toContainEqual(expect.objectContaining({ counter: 'pfn_valid', reason: 'inlined' }));
    expect(counter(ctr, 'pfn_to_online_page')).toMatchObject({ role: 'caller_of:pfn_valid' });
    expect(ctr.counters.find((c) => c.name === 'warn_count')).toMatchObject({ value: 0 });
    expect(ctr.counters.some((c) => c.source === 'vmstat')).toBe(true);
    expect(ctr.info).toContainEqual({ cleanup: 'clean' });
    await noProbesLeft(g);
  });

  it('hotplug-offline-online loops over the movable blocks: ns per offline and online, counters agree', async () => {
    expect((await g.run('counters.sh', ['start', CTR])).r.status).toBe('ok');
    const { r } = await g.run('hotplug-offline-online.sh', ['3', '2']);
    const ctr = (await g.run('counters.sh', ['stop', CTR])).r;
    log(`x86-01 offline-online: ${summary(r)}; clock ${JSON.stringify(r.clock)}`);
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('ok');
    expect(r.clock).toMatchObject({ source: 'timer_list', resolutionNs: 1 });
    const off = metric(r, 'offline');
    const on = metric(r, 'online');
    expect(off.length).toBeGreaterThanOrEqual(3);
    expect(on.length).toBe(off.length);
    expect([...off, ...on].every((s) => s.unit === 'ns' && s.value > 0 && s.labels.zone === 'Movable')).toBe(true);
    expect(new Set(off.map((s) => s.iteration))).toEqual(new Set([0, 1, 2]));
    expect(counter(ctr, 'offline_pages')!.calls).toBe(off.length + countOf(r, 'offline_error'));
    expect(counter(ctr, 'online_pages')!.calls).toBe(on.length);
    // the kernel's part of an offline is within the shell's measurement of it
    const offTotal = off.reduce((s, x) => s + x.value, 0);
    expect(counter(ctr, 'offline_pages')!.totalNs!).toBeLessThanOrEqual(offTotal);
    await noProbesLeft(g);
    // counter overhead: the same loop without counters (reported, not asserted: TCG on a shared host is noisy)
    const bare = (await g.run('hotplug-offline-online.sh', ['3', '2'])).r;
    expect(bare.status).toBe('ok');
    const ratio = (m: string) => median(metric(r, m).map((x) => x.value)) / median(metric(bare, m).map((x) => x.value));
    log(`x86-01 counters overhead (median with / without, 6 samples each): offline ${ratio('offline').toFixed(2)}, online ${ratio('online').toFixed(2)}`);
  });

  it('virtio-mem unplug back to 0: blocks disappear (timed); vmemmap_free is called', async () => {
    const { removed, ctr } = await virtioMemRemove(g, qmp, virtioPlan);
    log(`x86-01 virtio-mem remove: ${summary(removed)}; vmemmap_free ${JSON.stringify(counter(ctr, 'vmemmap_free'))}`);
    expect(removed.problems).toEqual([]);
    expect(removed.status).toBe('ok');
    expect(metric(removed, 'block_gone')).toHaveLength(2);
    expect(metric(removed, 'remove_visible')[0].value).toBeGreaterThan(0);
    expect(counter(ctr, 'vmemmap_free')!.calls).toBeGreaterThan(0);
    expect(counter(ctr, 'offline_pages')!.calls).toBeGreaterThanOrEqual(2);
    await noProbesLeft(g);
  });

  it('pc-dimm add, online, offline, remove of 512 MiB through QMP, each timed in the guest', async () => {
    const plan = hotplugAddRemovePlan({ method: 'pc-dimm', sizeBytes: 512 * MiB, blockSizeBytes: 128 * MiB, index: 1, timeoutS: 180 });
    expect(plan.blocks).toBe(4);
    expect((await g.run('counters.sh', ['start', CTR])).r.status).toBe('ok');
    expect((await g.run('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'prepare'))).r.status).toBe('ok');
    const added = (await g.runAround('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'wait-added'), async () => { await runQmpSteps(qmp, hostStepsBetween(plan.steps, 'wait-added')); })).r;
    const online = (await g.run('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'online'))).r;
    const offline = (await g.run('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'offline'))).r;
    const removed = (await g.runAround('hotplug-add-remove-guest.sh', guestArgs(plan.steps, 'wait-removed'), async () => { await runQmpSteps(qmp, hostStepsBetween(plan.steps, 'wait-removed')); })).r;
    const ctr = (await g.run('counters.sh', ['stop', CTR])).r;
    await g.run('hotplug-add-remove-guest.sh', ['cleanup']);
    log(`x86-01 pc-dimm: ${summary(added)} | ${summary(online)} | ${summary(offline)} | ${summary(removed)}`);
    for (const r of [added, online, offline, removed]) {
      expect(r.problems).toEqual([]);
      expect(r.status).toBe('ok');
    }
    expect(metric(added, 'block_visible')).toHaveLength(4);
    expect(metric(online, 'online')).toHaveLength(4);
    expect(metric(offline, 'offline')).toHaveLength(4);
    expect(metric(removed, 'block_gone')).toHaveLength(4);
    expect(derived(ctr, 'vmemmap_populate')!.calls).toBe(4);
    expect(counter(ctr, '__add_pages')!.calls).toBe(1); // one arch_add_memory for the whole DIMM
    expect(counter(ctr, 'vmemmap_free')!.calls).toBeGreaterThan(0);
    await noProbesLeft(g);
  });

  it('pfn-walk: a full /proc/kpageflags read and a compaction pass, timed', async () => {
    const { r } = await g.run('pfn-walk.sh', ['2']);
    log(`x86-01 pfn-walk: ${summary(r)}`);
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('ok');
    expect(metric(r, 'kpageflags_read')).toHaveLength(2);
    // max_pfn * 8 bytes: at least the 1 GiB of boot memory
    expect(metric(r, 'kpageflags_pfns').every((s) => s.value >= 262144 && s.unit === 'pages')).toBe(true);
    expect(metric(r, 'compaction').every((s) => s.value > 0)).toBe(true);
  });

  it('zone-device: SKIP with the reason (no test_hmm in this kernel image, no devdax namespace)', async () => {
    const { r } = await g.run('zone-device.sh', ['2']);
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('skip');
    expect(r.skips.map((s) => `${s.part}:${s.reason}`)).toEqual(['test_hmm:module_missing', 'dax_kmem:no_devdax_namespace']);
    log(`x86-01 zone-device: SKIP ${r.skipReason} (${r.skips[0].detail})`);
  });

  it('counters cleanup after a payload that died: idempotent, nothing of ours left, also without DIR', async () => {
    expect((await g.run('counters.sh', ['start', CTR])).r.status).toBe('ok');
    expect(await g.sh('grep -c pfnlab/ /sys/kernel/tracing/kprobe_events')).not.toBe('0\n');
    // the payload "dies" and its state dir is lost
    await g.sh(`rm -rf ${CTR}`);
    for (let i = 0; i < 2; i++) {
      const { code, r } = await g.run('counters.sh', ['cleanup']);
      expect(code).toBe(0);
      expect(r).toMatchObject({ status: 'ok', info: [{ cleanup: 'clean' }] });
    }
    await noProbesLeft(g);
    // a start after a crashed start cleans the leftovers itself
    await g.run('counters.sh', ['start', CTR]);
    expect((await g.run('counters.sh', ['start', CTR])).r.status).toBe('ok');
    expect((await g.run('counters.sh', ['stop', CTR])).r.info).toContainEqual({ cleanup: 'clean' });
    await noProbesLeft(g);
    await g.sh(`rm -rf ${CTR} ${REMOTE_DIR}`);
  });
});

describe('tx2-01 (arm64, Debian 6.1): virtio-mem hot-add counters and the offline/online loop', () => {
  let g: GuestPayloads;
  let qmp: QmpClient;

  beforeAll(async () => {
    g = await GuestPayloads.boot(lab, 'tx2-01');
    qmp = await QmpClient.connect(path.join(lab.dir, 'machines', 'tx2-01', 'qmp.sock'));
  }, 600_000);
  afterAll(async () => {
    qmp?.close();
    g?.close();
    if (g) await lab.drivers(g.machine).power.off().catch(() => undefined);
  });

  it('virtio-mem hot-add with counters, then offline/online loops on the new movable blocks', async () => {
    const { added, online, ctr } = await virtioMemAdd(g, qmp, 256 * MiB, 0);
    log(`tx2-01 virtio-mem add: ${summary(added)} | ${summary(online)}`);
    expect(added.status).toBe('ok');
    expect(online.status).toBe('ok');
    expect(ctr.problems).toEqual([]);
    log(`tx2-01 counters: ${ctr.counters.filter((c) => c.source !== 'vmstat').map((c) => `${c.name}/${c.source} calls=${c.calls ?? c.value} mean=${c.meanNs ?? '-'}`).join('; ')}`);
    log(`tx2-01 unavailable: ${ctr.unavailable.map((u) => `${u.counter}:${u.reason}`).join(' ')}`);
    expect(derived(ctr, 'vmemmap_populate')!.calls).toBe(2);
    expect(counter(ctr, '__add_pages')).toMatchObject({ source: 'kprobe', calls: 2 });
    // arm64 Debian 6.1: no ZONE_DEVICE, so no memremap_pages at all
    expect(ctr.unavailable).toContainEqual(expect.objectContaining({ counter: 'memremap_pages', reason: 'not_in_kernel' }));
    await noProbesLeft(g);

    const { r } = await g.run('hotplug-offline-online.sh', ['2', '2']);
    log(`tx2-01 offline-online: ${summary(r)}; clock ${JSON.stringify(r.clock)}`);
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('ok');
    expect(metric(r, 'offline').length).toBeGreaterThanOrEqual(2);
    expect(metric(r, 'online').length).toBe(metric(r, 'offline').length);
    expect(r.samples.every((s) => s.unit === 'ns' && s.value > 0)).toBe(true);
  });
});
