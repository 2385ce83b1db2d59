import { hotplugAddRemovePlan, type GuestAction, type QmpAction } from '@pfnlab/payloads';

const MiB = 1024 * 1024;
const ids = (p: ReturnType<typeof hotplugAddRemovePlan>) => p.steps.map((s) => `${s.actor}:${s.id}`);

describe('hotplugAddRemovePlan', () => {
  it('pc-dimm: object-add + device_add while wait-added runs; offline, then device_del (waits for DEVICE_DELETED) + object-del', () => {
    const p = hotplugAddRemovePlan({ method: 'pc-dimm', sizeBytes: 512 * MiB, blockSizeBytes: 128 * MiB, index: 3, timeoutS: 90 });
    expect(p.blocks).toBe(4);
    expect(ids(p)).toEqual(['guest:prepare', 'guest:wait-added', 'host:object-add', 'host:device-add', 'guest:online', 'guest:offline',
      'guest:wait-removed', 'host:device-del', 'host:object-del', 'guest:cleanup']);
    const qmp = p.steps.filter((s) => s.action.kind === 'qmp').map((s) => s.action as QmpAction);
    expect(qmp).toEqual([
      { kind: 'qmp', execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: 'pfnlab-mem3', size: 512 * MiB } },
      { kind: 'qmp', execute: 'device_add', arguments: { driver: 'pc-dimm', id: 'pfnlab-dimm3', memdev: 'pfnlab-mem3' } },
      { kind: 'qmp', execute: 'device_del', arguments: { id: 'pfnlab-dimm3' }, waitEvent: { event: 'DEVICE_DELETED', data: { device: 'pfnlab-dimm3' }, timeoutS: 90 } },
      { kind: 'qmp', execute: 'object-del', arguments: { id: 'pfnlab-mem3' } },
    ]);
    const wait = p.steps[1].action as GuestAction;
    expect(wait).toEqual({ kind: 'guest', script: 'hotplug-add-remove-guest.sh', args: ['wait-added', '4', '90'], concurrentWithNext: { markerKind: 'info', key: 'ready', value: '1' } });
    expect((p.steps[4].action as GuestAction).args).toEqual(['online', 'online_movable']);
  });

  it('virtio-mem: requested-size up by the size and back; no guest offline (the driver unplugs)', () => {
    const p = hotplugAddRemovePlan({ method: 'virtio-mem', sizeBytes: 256 * MiB, blockSizeBytes: 128 * MiB, virtioMemCurrentBytes: 128 * MiB });
    expect(ids(p)).toEqual(['guest:prepare', 'guest:wait-added', 'host:requested-size-up', 'guest:online', 'guest:wait-removed', 'host:requested-size-down', 'guest:cleanup']);
    const sizes = p.steps.filter((s) => s.action.kind === 'qmp').map((s) => (s.action as QmpAction).arguments);
    expect(sizes).toEqual([{ path: 'vm0', property: 'requested-size', value: 384 * MiB }, { path: 'vm0', property: 'requested-size', value: 128 * MiB }]);
  });

  it('ppc64 pseries onlines by itself: no online step; real-machine methods are hooks', () => {
    const p = hotplugAddRemovePlan({ method: 'pc-dimm', sizeBytes: 512 * MiB, blockSizeBytes: 256 * MiB, onlineType: 'none' });
    expect(p.blocks).toBe(2);
    expect(ids(p)).not.toContain('guest:online');
    for (const method of ['acpi', 'dlpar', 's390-standby'] as const) {
      const h = hotplugAddRemovePlan({ method, sizeBytes: 256 * MiB, blockSizeBytes: 256 * MiB });
      const hooks = h.steps.filter((s) => s.action.kind === 'hook');
      expect(hooks).toHaveLength(2);
      expect(hooks.every((s) => s.action.kind === 'hook' && s.action.sizeBytes === 256 * MiB && s.action.description.length > 10)).toBe(true);
    }
  });

  it('refuses sizes that are not whole blocks and ids that are not QOM ids', () => {
    expect(() => hotplugAddRemovePlan({ method: 'pc-dimm', sizeBytes: 100 * MiB, blockSizeBytes: 128 * MiB })).toThrow(RangeError);
    expect(() => hotplugAddRemovePlan({ method: 'pc-dimm', sizeBytes: 0, blockSizeBytes: 128 * MiB })).toThrow(/positive multiple/);
    expect(() => hotplugAddRemovePlan({ method: 'pc-dimm', sizeBytes: 128 * MiB, blockSizeBytes: 1000 })).toThrow(/block size/);
    expect(() => hotplugAddRemovePlan({ method: 'virtio-mem', sizeBytes: 128 * MiB, blockSizeBytes: 128 * MiB, virtioMemDevice: 'vm0; quit' })).toThrow(/QOM id/);
    expect(() => hotplugAddRemovePlan({ method: 'virtio-mem', sizeBytes: 128 * MiB, blockSizeBytes: 128 * MiB, virtioMemCurrentBytes: 1000 })).toThrow(/2 MiB/);
    expect(() => hotplugAddRemovePlan({ method: 'pc-dimm', sizeBytes: 128 * MiB, blockSizeBytes: 128 * MiB, timeoutS: 0 })).toThrow(/timeoutS/);
    expect(() => hotplugAddRemovePlan({ method: 'nope' as never, sizeBytes: 128 * MiB, blockSizeBytes: 128 * MiB })).toThrow(/unknown hotplug method/);
  });
});
