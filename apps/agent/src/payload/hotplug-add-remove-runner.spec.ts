import type { ExecOptions, ExecResult } from '@pfnlab/machines';
import { formatMarkerLine, parsePayloadOutput } from '@pfnlab/payloads';
import { HotplugAddRemoveRunner } from './hotplug-add-remove-runner';
import type { HotplugAddRemoveParams } from './payload-commands';
import { PayloadRunner } from './payload-runner';
import { DIR, FakeGuest, FakeQemu, MiB, tick, World } from './test/fake-hotplug-machine';

/*
 * HotplugAddRemoveRunner against a fake guest and a fake QEMU
 * (test/fake-hotplug-machine.ts). The real path, SSH to a QEMU guest and
 * QMP, is the e2e test (test/e2e/boot-loop.test.ts).
 */

const params = (p: Partial<HotplugAddRemoveParams> = {}): HotplugAddRemoveParams => ({ method: 'pc-dimm', qmpSocket: '/fake/qmp.sock', cycles: 2, online: 'online_movable', timeoutS: 1, sizeMiB: 512, ...p });

async function runWith(w: World, p: HotplugAddRemoveParams, setup: (q: FakeQemu) => void = () => undefined) {
  const q = new FakeQemu(w);
  setup(q);
  const sockets: string[] = [];
  const runner = new HotplugAddRemoveRunner(new FakeGuest(w), async (s) => {
    sockets.push(s);
    return q;
  }, DIR);
  const out = await runner.run(p, { timeoutMs: 60_000, signal: new AbortController().signal });
  return { out, r: parsePayloadOutput(out.output), q, sockets };
}

const metric = (r: ReturnType<typeof parsePayloadOutput>, m: string) => r.samples.filter((s) => s.metric === m);

describe('HotplugAddRemoveRunner', () => {
  it('pc-dimm, 2 cycles: guest phases and QMP steps in the plan\'s order, the host acting once the guest is ready; one run with every phase\'s samples', async () => {
    const w = new World();
    const { out, r, q, sockets } = await runWith(w, params());
    expect(sockets).toEqual(['/fake/qmp.sock']);
    const cycle = (n: number) => [
      'guest prepare',
      'guest wait-added 4 1', 'guest wait-added ready', `qmp object-add pfnlab-mem${n}`, `qmp device_add pfnlab-dimm${n}`,
      'guest online online_movable',
      'guest offline',
      'guest wait-removed 1', 'guest wait-removed ready', `qmp device_del pfnlab-dimm${n}`, `qmp object-del pfnlab-mem${n}`,
      'guest cleanup',
    ];
    expect(w.log).toEqual([...cycle(1), ...cycle(1)]);
    expect(q.commands.find(([c]) => c === 'object-add')).toEqual(['object-add', { 'qom-type': 'memory-backend-ram', id: 'pfnlab-mem1', size: 512 * MiB }]);
    expect(q.closed).toBe(true);
    expect(out.reason).toBeUndefined();
    expect(out.problems).toEqual([]);

    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ payload: 'hotplug-add-remove', status: 'ok', otherRuns: [] });
    expect(r.params).toMatchObject({ method: 'pc-dimm', size_mib: '512', block_size_mib: '128', blocks: '4', cycles: '2', arch: 'x86_64', kernel: '6.1.0-fake' });
    expect(r.clock).toEqual({ source: 'timer_list', resolutionNs: 1 });
    for (const m of ['add_visible', 'remove_visible', 'host_add', 'host_remove']) expect(metric(r, m).map((s) => s.iteration)).toEqual([0, 1]);
    for (const m of ['block_visible', 'online', 'offline']) expect(metric(r, m).map((s) => s.iteration)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(metric(r, 'online')[3]).toEqual({ metric: 'online', value: 200003, unit: 'ns', iteration: 0, labels: { block: 'memory11', type: 'online_movable' } });
    expect(metric(r, 'host_add')[0]).toMatchObject({ unit: 'ns', labels: { method: 'pc-dimm' } });
    expect(metric(r, 'host_add')[0].value).toBeGreaterThan(0);
    expect(r.info).toContainEqual({ phase: 'prepare', cycle: '1', blocks: '8' });
    // nothing left plugged
    expect([w.objects.size, w.dimms.size, w.added.length]).toEqual([0, 0, 0]);
  });

  it('virtio-mem: reads requested-size with qom-get first, sets it up and back; no offline phase (the driver unplugs)', async () => {
    const w = new World();
    w.requestedSize = 256 * MiB; // plugged before: part of the guest's blocks now
    w.baseBlocks = 10;
    const { r, q } = await runWith(w, params({ method: 'virtio-mem', cycles: 1, sizeMiB: 256 }));
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('ok');
    expect(r.params).toMatchObject({ method: 'virtio-mem', device: 'vm0', blocks: '2' });
    expect(q.commands.map(([c, a]) => `${c}${a?.property ? ` ${a.property}` : ''}${a?.value !== undefined ? `=${Number(a.value) / MiB}` : ''}`)).toEqual([
      'query-memory-devices', 'qom-get requested-size', // the device and its room
      'qom-get requested-size', // the cycle's starting point
      'qom-set requested-size=512', 'qom-set requested-size=256',
    ]);
    expect(w.log.filter((l) => l.startsWith('guest ')).map((l) => l.split(' ')[1])).toEqual(['prepare', 'wait-added', 'wait-added', 'online', 'wait-removed', 'wait-removed', 'cleanup']);
    expect(metric(r, 'offline')).toEqual([]);
    expect(metric(r, 'remove_visible')).toHaveLength(1);
  });

  it('a host step QEMU refuses: stops the waiting guest phase, removes what was added, ERROR (no end line) with the QMP error', async () => {
    const w = new World();
    const { out, r } = await runWith(w, params(), (q) => (q.refuse.device_add = 'a memory device needs a free slot'));
    expect(w.log).toEqual(['guest prepare', 'guest wait-added 4 1', 'guest wait-added ready', 'qmp object-add pfnlab-mem1', 'guest kill 4002', 'qmp object-del pfnlab-mem1', 'guest cleanup']);
    expect(r.status).toBe('incomplete');
    expect(r.info).toContainEqual({ error: 'device-add:GenericError', cycle: '0' });
    expect(out.reason).toBe('hotplug-add-remove (pc-dimm): cycle 1/2: host step device-add failed: QMP device_add: GenericError: a memory device needs a free slot; put back: deleted pfnlab-mem1');
    expect(w.objects.size).toBe(0);
  });

  it('a guest that does not give the DIMM back: FAIL naming the device and the missing event; what is still plugged is said', async () => {
    const w = new World();
    const { out, r } = await runWith(w, params({ cycles: 1 }), () => (w.guestRefusesEject = true));
    expect(r.status).toBe('fail');
    expect(r.failReason).toBe('device-del:no_DEVICE_DELETED');
    expect(out.reason).toMatch(/^hotplug-add-remove \(pc-dimm\): cycle 1\/1: host step device-del: QMP event DEVICE_DELETED \{"device":"pfnlab-dimm1"\} not seen within 1000 ms at \/fake\/qmp.sock: the guest did not give the memory back; NOT put back: pfnlab-dimm1 is still plugged \(QMP event DEVICE_DELETED .* not seen within 1000 ms .*\); NOT put back: pfnlab-mem1 stays \(its DIMM is still plugged\)$/);
    // the samples up to the failure are kept
    expect(metric(r, 'offline')).toHaveLength(4);
    expect(w.log.slice(-4)).toEqual(['guest kill 4005', 'guest offline', 'qmp device_del pfnlab-dimm1', 'guest cleanup']);
  });

  it('the guest never sees the memory: FAIL with the guest\'s reason, and the DIMM is removed again', async () => {
    const w = new World();
    w.plug = () => undefined; // QEMU plugs, the kernel under test sees nothing
    w.unplug = () => true;
    const { out, r } = await runWith(w, params({ cycles: 3 }));
    expect(r.status).toBe('fail');
    expect(r.failReason).toBe('wait-added:timeout_waiting_for_blocks');
    expect(r.countTotals).toEqual({ add_timeout: 1 });
    expect(out.reason).toBe('hotplug-add-remove (pc-dimm): cycle 1/3: guest phase wait-added failed: timeout_waiting_for_blocks; put back: removed pfnlab-dimm1; put back: deleted pfnlab-mem1');
  });

  it('a cancel while the host waits for the guest: stops the phase at once, puts back what it can, ERROR "canceled"', async () => {
    const w = new World();
    w.guestRefusesEject = true;
    const q = new FakeQemu(w);
    const ac = new AbortController();
    const watch = setInterval(() => w.log.includes('qmp device_del pfnlab-dimm1') && ac.abort('canceled by user'), 1);
    try {
      const out = await new HotplugAddRemoveRunner(new FakeGuest(w), async () => q, DIR).run(params({ cycles: 1, timeoutS: 2 }), { timeoutMs: 60_000, signal: ac.signal });
      expect(parsePayloadOutput(out.output)).toMatchObject({ status: 'incomplete', info: expect.arrayContaining([{ error: 'canceled', cycle: '0' }]) });
      expect(out.reason).toMatch(/^hotplug-add-remove \(pc-dimm\): cycle 1\/1: canceled during guest phase wait-removed: canceled by user; /);
      // the guest's waiting phase was stopped by its pid
      expect(w.log).toContain('guest kill 4005');
      expect(w.log.indexOf('guest kill 4005')).toBeLessThan(w.log.lastIndexOf('guest cleanup'));
    } finally {
      clearInterval(watch);
    }
  });

  it('SKIPs before touching the machine: a size that is not a multiple of the block size, a guest that cannot hotplug', async () => {
    const w = new World();
    const a = await runWith(w, params({ sizeMiB: 200 }));
    expect(a.r).toMatchObject({ status: 'skip', skipReason: 'size_not_a_multiple_of_the_block_size' });
    expect(a.out.reason).toBe('hotplug-add-remove (pc-dimm): size_mib 200 is not a multiple of the guest\'s memory block size (128 MiB)');
    expect(a.q.commands).toEqual([]);
    expect(w.log).toEqual([]);

    w.prepareSkip = 'not_root';
    const b = await runWith(w, params());
    expect(b.r).toMatchObject({ status: 'skip', skipReason: 'not_root' });
    expect(b.out.reason).toBe('hotplug-add-remove (pc-dimm): cycle 1/2: guest phase prepare skipped: not_root');
    expect(b.q.commands.some(([c]) => c === 'object-add' || c === 'device_add')).toBe(false);

    const c = await runWith(new World(), params({ method: 'virtio-mem', sizeMiB: 4096 }));
    expect(c.r).toMatchObject({ status: 'skip', skipReason: 'virtio_mem_too_small' });
    expect(c.out.reason).toBe('hotplug-add-remove (virtio-mem): 4096 MiB more does not fit in vm0 (max-size 2048 MiB, 0 MiB requested now)');
  });

  it('default size: two of the guest\'s blocks; an id in use moves to the next free pair', async () => {
    const w = new World();
    w.blockBytes = 256 * MiB;
    w.log.push('stale pfnlab-mem1');
    const { r, q } = await runWith(w, params({ sizeMiB: undefined, cycles: 1 }));
    expect(r.params).toMatchObject({ size_mib: '512', block_size_mib: '256', blocks: '2' });
    expect(q.commands.find(([c]) => c === 'device_add')?.[1]).toEqual({ driver: 'pc-dimm', id: 'pfnlab-dimm2', memdev: 'pfnlab-mem2' });
  });

  it('hostile guest output in a phase: reported as problems, never emitted as data', async () => {
    const w = new World();
    w.garbageInOnline = true;
    const { out, r } = await runWith(w, params({ cycles: 1 }));
    expect(r.status).toBe('ok');
    expect(out.problems).toEqual([expect.stringMatching(/^cycle 1 online: line 2: marker line length/)]);
    expect(metric(r, 'online').every((s) => s.value >= 200000)).toBe(true);
  });
});

describe('PayloadRunner with hotplug-add-remove', () => {
  it('counters start/stop/cleanup around the whole run; the result has the phases\' samples and the counters', async () => {
    const w = new World();
    const guest = new FakeGuest(w);
    const calls: string[] = [];
    const counterLines = (phase: string) => {
      const run = `c${phase}`;
      const l = [formatMarkerLine('begin', run, 0, [['payload', 'counters'], ['phase', phase]])];
      if (phase === 'stop') {
        l.push(formatMarkerLine('counter', run, 1, [['name', '__add_pages'], ['source', 'kprobe'], ['calls', 1], ['total_ns', 900000]]));
        l.push(formatMarkerLine('counter', run, 2, [['name', 'vmemmap_populate'], ['source', 'derived'], ['calls', 4]]));
      }
      l.push(formatMarkerLine('end', run, l.length, [['status', 'ok']]));
      return `${l.join('\n')}\n`;
    };
    const ssh = {
      exec: async (argv: string[], o: ExecOptions): Promise<ExecResult> => {
        if (argv[1] === `${DIR}/counters.sh`) {
          calls.push(`counters ${argv[2]}`);
          return { code: 0, signal: null, stdout: counterLines(argv[2]), stderr: '', timedOut: false };
        }
        calls.push(argv[0] === 'cat' ? 'cat' : 'guest');
        return guest.exec(argv, o);
      },
      upload: async () => undefined,
    };
    const q = new FakeQemu(w);
    const runner = new PayloadRunner(ssh, () => 0, { name: 'x86-01', arch: 'x86_64', hotplug: { methods: ['offline-online', 'pc-dimm'], qmpSocket: '/fake/qmp.sock' } }, async () => q);
    const e = await runner.run({ name: 'hotplug-add-remove', params: { size_mib: 512, cycles: 1, timeout_s: 1 } }, 2, 0, new AbortController().signal);
    expect(calls[0]).toBe('counters start');
    expect(calls.slice(-2)).toEqual(['counters stop', 'counters cleanup']);
    expect(calls.filter((c) => c.startsWith('counters'))).toHaveLength(3);
    expect(e).toMatchObject({ test: { name: 'hotplug-add-remove', index: 2, iteration: 0 }, status: 'ok', reason: null, problems: [] });
    expect(['add_visible', 'online', 'offline', 'remove_visible', 'host_add', 'host_remove'].map((m) => e.samples.filter((s) => s.metric === m).length)).toEqual([1, 4, 4, 1, 1, 1]);
    expect(e.counters).toEqual([
      expect.objectContaining({ name: '__add_pages', calls: 1 }),
      expect.objectContaining({ name: 'vmemmap_populate', source: 'derived', calls: 4 }),
    ]);

    // a machine without the method: SKIP with the reason, nothing run
    calls.length = 0;
    const none = new PayloadRunner(ssh, () => 0, { name: 'z15-lpar-01', arch: 's390x', hotplug: { methods: ['offline-online'] } }, async () => q);
    const s = await none.run({ name: 'hotplug-add-remove', params: {} }, 0, 0, new AbortController().signal);
    expect(s).toMatchObject({ status: 'skip', reason: expect.stringMatching(/^hotplug-add-remove: z15-lpar-01 has no add\/remove method/) });
    expect(calls).toEqual([]);

    // ERROR carries the QMP error as the result's reason
    q.refuse.object_add = 'unused';
    q.refuse['object-add'] = 'Property memory-backend-ram.size: out of memory';
    const err = await runner.run({ name: 'hotplug-add-remove', params: { size_mib: 512, cycles: 1, timeout_s: 1 } }, 0, 0, new AbortController().signal);
    expect(err).toMatchObject({ status: 'incomplete', reason: 'hotplug-add-remove (pc-dimm): cycle 1/1: host step object-add failed: QMP object-add: GenericError: Property memory-backend-ram.size: out of memory' });
  });
});
