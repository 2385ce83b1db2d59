import type { PayloadMachine } from './payload-commands';
import { payloadCommand } from './payload-commands';

const x86: PayloadMachine = { name: 'x86-01', arch: 'x86_64', hotplug: { methods: ['offline-online', 'pc-dimm', 'virtio-mem'], qmpSocket: '/var/lib/vlab/x86-01/qmp.sock' } };
const tx2: PayloadMachine = { name: 'tx2-01', arch: 'arm64', hotplug: { methods: ['offline-online', 'virtio-mem'], qmpSocket: '/var/lib/vlab/tx2-01/qmp.sock' } };
const p9: PayloadMachine = { name: 'p9-01', arch: 'ppc64le', hotplug: { methods: ['offline-online', 'pc-dimm'], qmpSocket: '/var/lib/vlab/p9-01/qmp.sock' } };
const z15: PayloadMachine = { name: 'z15-lpar-01', arch: 's390x', hotplug: { methods: ['offline-online'] } };
const addRemove = (params: Record<string, string | number | boolean>, m?: PayloadMachine) => payloadCommand({ name: 'hotplug-add-remove', params }, m);

describe('payloadCommand', () => {
  it('maps a tests: entry to its script with defaults and the given parameters, in the script\'s order', () => {
    expect(payloadCommand({ name: 'hotplug-offline-online', params: {} })).toEqual({ script: 'hotplug-offline-online.sh', args: ['5', '4'] });
    expect(payloadCommand({ name: 'hotplug-offline-online', params: { blocks: 8, iterations: 20, policy: 'any' } }))
      .toEqual({ script: 'hotplug-offline-online.sh', args: ['20', '8', 'any'] });
    expect(payloadCommand({ name: 'pfn-walk', params: {} })).toEqual({ script: 'pfn-walk.sh', args: ['1'] });
  });

  it('a payload that cannot run here, an unknown one, or bad parameters are a SKIP that says why', () => {
    expect(payloadCommand({ name: 'memtest', params: {} })).toEqual({ skip: expect.stringMatching(/^no payload named memtest \(known: hotplug-offline-online, /) });
    expect(payloadCommand({ name: 'toString', params: {} })).toEqual({ skip: expect.stringMatching(/^no payload named toString /) });
    expect(payloadCommand({ name: 'pfn-walk', params: { iterations: 0 } })).toEqual({ skip: 'pfn-walk: iterations must be an integer from 1 to 100' });
    expect(payloadCommand({ name: 'pfn-walk', params: { iterations: '3' } })).toEqual({ skip: 'pfn-walk: iterations must be an integer from 1 to 100' });
    expect(payloadCommand({ name: 'zone-device', params: { blocks: 2 } })).toEqual({ skip: 'zone-device has no parameter blocks (it takes iterations)' });
    expect(payloadCommand({ name: 'hotplug-offline-online', params: { policy: 'kernel' } })).toEqual({ skip: 'hotplug-offline-online: policy must be one of movable, any' });
  });
});

describe('payloadCommand: hotplug-add-remove against the machine\'s inventory', () => {
  it('defaults: the first QMP-capable method, 3 cycles, online_movable, 120 s waits, size from the guest\'s block size', () => {
    expect(addRemove({}, x86)).toEqual({ hotplug: { method: 'pc-dimm', qmpSocket: '/var/lib/vlab/x86-01/qmp.sock', cycles: 3, online: 'online_movable', timeoutS: 120 } });
    expect(addRemove({}, tx2)).toEqual({ hotplug: expect.objectContaining({ method: 'virtio-mem', qmpSocket: '/var/lib/vlab/tx2-01/qmp.sock' }) });
    // ppc64 pseries onlines hot-added memory itself
    expect(addRemove({}, p9)).toEqual({ hotplug: expect.objectContaining({ method: 'pc-dimm', online: 'none' }) });
    expect(addRemove({ online: 'online_movable' }, p9)).toEqual({ hotplug: expect.objectContaining({ online: 'online_movable' }) });
  });

  it('takes method, size_mib, cycles, online and timeout_s', () => {
    expect(addRemove({ method: 'virtio-mem', size_mib: 512, cycles: 2, online: 'online_kernel', timeout_s: 30 }, x86))
      .toEqual({ hotplug: { method: 'virtio-mem', qmpSocket: '/var/lib/vlab/x86-01/qmp.sock', sizeMiB: 512, cycles: 2, online: 'online_kernel', timeoutS: 30 } });
  });

  it('bad parameters are a SKIP naming the parameter and its range', () => {
    expect(addRemove({ cycles: 0 }, x86)).toEqual({ skip: 'hotplug-add-remove: cycles must be an integer from 1 to 1000' });
    expect(addRemove({ cycles: 1001 }, x86)).toEqual({ skip: 'hotplug-add-remove: cycles must be an integer from 1 to 1000' });
    expect(addRemove({ size_mib: 12.5 }, x86)).toEqual({ skip: 'hotplug-add-remove: size_mib must be an integer from 1 to 1048576' });
    expect(addRemove({ size_mib: '256' }, x86)).toEqual({ skip: 'hotplug-add-remove: size_mib must be an integer from 1 to 1048576' });
    expect(addRemove({ method: 'hot-swap' }, x86)).toEqual({ skip: 'hotplug-add-remove: method must be one of pc-dimm, virtio-mem, acpi-dimm, dlpar, s390-standby' });
    expect(addRemove({ online: 'offline' }, x86)).toEqual({ skip: 'hotplug-add-remove: online must be one of online_movable, online, online_kernel, none' });
    expect(addRemove({ blocks: 2 }, x86)).toEqual({ skip: 'hotplug-add-remove has no parameter blocks (it takes cycles, size_mib, timeout_s, method, online)' });
  });

  it('a machine without a usable method is a SKIP that names what is missing, never a pass', () => {
    expect(addRemove({ method: 'pc-dimm' }, tx2)).toEqual({ skip: 'hotplug-add-remove: method pc-dimm is not one of tx2-01\'s hotplug methods (inventory hotplug.methods: offline-online, virtio-mem)' });
    expect(addRemove({}, z15)).toEqual({
      skip: 'hotplug-add-remove: z15-lpar-01 has no add/remove method in its inventory (hotplug.methods: offline-online); it needs pc-dimm or virtio-mem with hotplug.qmpSocket, or acpi-dimm, dlpar, s390-standby with a lab hook',
    });
    expect(addRemove({}, { name: 'bare', arch: 'x86_64' })).toEqual({ skip: expect.stringMatching(/^hotplug-add-remove: bare has no add\/remove method in its inventory \(hotplug.methods: none\)/) });
    expect(addRemove({}, { ...x86, hotplug: { methods: ['pc-dimm'] } })).toEqual({ skip: 'hotplug-add-remove: method pc-dimm needs hotplug.qmpSocket in x86-01\'s inventory (the agent drives it over QMP)' });
    expect(addRemove({}, { name: 'p9-07', arch: 'ppc64le', hotplug: { methods: ['offline-online', 'dlpar'] } }))
      .toEqual({ skip: 'hotplug-add-remove: method dlpar is done by a lab hotplug hook (dlpar-add, dlpar-remove) and this agent has none configured' });
    expect(addRemove({ method: 'acpi-dimm' }, { name: 'x86-07', arch: 'x86_64', hotplug: { methods: ['acpi-dimm', 'pc-dimm'], qmpSocket: '/q.sock' } }))
      .toEqual({ skip: expect.stringMatching(/method acpi-dimm is done by a lab hotplug hook \(acpi-add, acpi-eject\)/) });
    expect(addRemove({})).toEqual({ skip: 'hotplug-add-remove needs the machine\'s inventory (hotplug.methods)' });
  });
});
