/*
 * hotplug-add-remove, host side, as data: what the agent does on the host
 * (QMP in the virtual lab; hooks for real machines) between the guest
 * phases of sh/hotplug-add-remove-guest.sh. Nothing here executes anything.
 *
 * Order of one add/remove cycle:
 *   guest prepare
 *   guest wait-added N TIMEOUT   (started first; the host acts once it
 *                                 printed `info ready=1`, while it waits)
 *   host  add actions
 *   guest online [TYPE]          (skipped where the platform onlines by itself: ppc64 pseries)
 *   guest offline                (pc-dimm / ACPI / DLPAR; virtio-mem unplugs online movable memory itself)
 *   guest wait-removed TIMEOUT   (started first again; the host removes while it waits)
 *   host  remove actions
 *   guest cleanup
 */

export type HotplugMethod = 'pc-dimm' | 'virtio-mem' | 'acpi' | 'dlpar' | 's390-standby';

export interface QmpAction {
  kind: 'qmp';
  execute: string;
  arguments: Record<string, unknown>;
  /** Wait for this QMP event before the next step (device_del completes asynchronously). */
  waitEvent?: { event: string; data: Record<string, unknown>; timeoutS: number };
}

/** An action on a real machine that a lab-specific hook performs (not the agent's QMP). */
export interface HookAction {
  kind: 'hook';
  hook: 'acpi-add' | 'acpi-eject' | 'dlpar-add' | 'dlpar-remove' | 'standby-attach' | 'standby-detach';
  sizeBytes: number;
  /** What the hook has to do, for the operator who writes it. */
  description: string;
}

export interface GuestAction {
  kind: 'guest';
  script: 'hotplug-add-remove-guest.sh';
  args: string[];
  /**
   * Start this phase, then run the following host step(s) once the guest
   * printed this marker kind and key (`info ready=1`): the guest times what
   * the host triggers.
   */
  concurrentWithNext?: { markerKind: 'info'; key: 'ready'; value: '1' };
}

export type HotplugAction = QmpAction | HookAction | GuestAction;

export interface HotplugStep {
  id: string;
  actor: 'host' | 'guest';
  action: HotplugAction;
}

export interface HotplugPlanOptions {
  method: HotplugMethod;
  /** Memory to add (and remove), bytes: a positive multiple of the guest's memory block size. */
  sizeBytes: number;
  /** The guest's memory block size (block_size_bytes): 128 MiB on x86_64/arm64, 256 MiB on ppc64 pseries. */
  blockSizeBytes: number;
  /** pc-dimm: a per-cycle index for unique QMP ids (pfnlab-mem<N>, pfnlab-dimm<N>). */
  index?: number;
  /** virtio-mem: the device id (the vlab's is vm0) and its requested-size before the cycle. */
  virtioMemDevice?: string;
  virtioMemCurrentBytes?: number;
  /** Guest online type; none when the platform onlines by itself (ppc64 pseries pc-dimm). */
  onlineType?: 'online_movable' | 'online' | 'online_kernel' | 'none';
  timeoutS?: number;
}

export interface HotplugPlan {
  method: HotplugMethod;
  blocks: number;
  steps: HotplugStep[];
}

const ID_RE = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const VIRTIO_MEM_BLOCK = 2 * 1024 * 1024;

/** The whole add/online/offline/remove cycle for one method, in order. Throws RangeError on bad options (configuration, not data). */
export function hotplugAddRemovePlan(o: HotplugPlanOptions): HotplugPlan {
  const { method, sizeBytes, blockSizeBytes } = o;
  if (!Number.isSafeInteger(blockSizeBytes) || blockSizeBytes <= 0 || blockSizeBytes % (1 << 20) !== 0) {
    throw new RangeError(`blockSizeBytes ${blockSizeBytes} is not a memory block size`);
  }
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % blockSizeBytes !== 0) {
    throw new RangeError(`sizeBytes ${sizeBytes} is not a positive multiple of the block size ${blockSizeBytes}`);
  }
  const blocks = sizeBytes / blockSizeBytes;
  const timeout = String(o.timeoutS ?? 120);
  if (!/^[1-9][0-9]{0,4}$/.test(timeout)) throw new RangeError(`timeoutS ${o.timeoutS} out of range`);
  const online = o.onlineType ?? 'online_movable';
  const guest = (id: string, args: string[], concurrent = false): HotplugStep => ({
    id, actor: 'guest',
    action: { kind: 'guest', script: 'hotplug-add-remove-guest.sh', args, ...(concurrent ? { concurrentWithNext: { markerKind: 'info', key: 'ready', value: '1' } } : {}) },
  });
  let add: HotplugStep[];
  let remove: HotplugStep[];
  let offlineFirst = true;
  switch (method) {
    case 'pc-dimm': {
      const n = o.index ?? 1;
      if (!Number.isSafeInteger(n) || n < 0 || n > 9999) throw new RangeError(`index ${n} out of range`);
      const mem = `pfnlab-mem${n}`;
      const dimm = `pfnlab-dimm${n}`;
      add = [
        { id: 'object-add', actor: 'host', action: { kind: 'qmp', execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: mem, size: sizeBytes } } },
        { id: 'device-add', actor: 'host', action: { kind: 'qmp', execute: 'device_add', arguments: { driver: 'pc-dimm', id: dimm, memdev: mem } } },
      ];
      remove = [
        { id: 'device-del', actor: 'host', action: { kind: 'qmp', execute: 'device_del', arguments: { id: dimm }, waitEvent: { event: 'DEVICE_DELETED', data: { device: dimm }, timeoutS: Number(timeout) } } },
        { id: 'object-del', actor: 'host', action: { kind: 'qmp', execute: 'object-del', arguments: { id: mem } } },
      ];
      break;
    }
    case 'virtio-mem': {
      const dev = o.virtioMemDevice ?? 'vm0';
      if (!ID_RE.test(dev)) throw new RangeError(`virtio-mem device id ${JSON.stringify(dev)} is not a QOM id`);
      const cur = o.virtioMemCurrentBytes ?? 0;
      if (!Number.isSafeInteger(cur) || cur < 0 || cur % VIRTIO_MEM_BLOCK !== 0) throw new RangeError(`virtioMemCurrentBytes ${cur} is not a multiple of 2 MiB`);
      const resize = (value: number): QmpAction => ({ kind: 'qmp', execute: 'qom-set', arguments: { path: dev, property: 'requested-size', value } });
      add = [{ id: 'requested-size-up', actor: 'host', action: resize(cur + sizeBytes) }];
      remove = [{ id: 'requested-size-down', actor: 'host', action: resize(cur) }];
      // the driver unplugs (offlines and removes) online movable memory itself
      offlineFirst = false;
      break;
    }
    default: {
      const hooks: Record<Exclude<HotplugMethod, 'pc-dimm' | 'virtio-mem'>, [HookAction['hook'], HookAction['hook'], string, string]> = {
        acpi: ['acpi-add', 'acpi-eject', 'hot-add a DIMM through the platform (BMC / hypervisor); the guest sees an ACPI memory device (PNP0C80)', 'eject it: echo 1 > /sys/bus/acpi/devices/PNP0C80:XX/eject in the guest, or the platform\'s remove'],
        dlpar: ['dlpar-add', 'dlpar-remove', 'add LMBs to the LPAR from the HMC (chhwres -r mem -o a -q MB) or in the guest with drmgr -c mem -a -q N', 'remove them: chhwres -r mem -o r -q MB, or drmgr -c mem -r -q N'],
        's390-standby': ['standby-attach', 'standby-detach', 'bring standby memory online: chmem -e SIZE (the increments appear as offline blocks first on older kernels)', 'give it back: chmem -d SIZE'],
      };
      const hook = Object.hasOwn(hooks, method) ? hooks[method as keyof typeof hooks] : undefined;
      if (!hook) throw new RangeError(`unknown hotplug method ${String(method)}`);
      const [a, r, da, dr] = hook;
      add = [{ id: a, actor: 'host', action: { kind: 'hook', hook: a, sizeBytes, description: da } }];
      remove = [{ id: r, actor: 'host', action: { kind: 'hook', hook: r, sizeBytes, description: dr } }];
    }
  }
  const steps: HotplugStep[] = [
    guest('prepare', ['prepare']),
    guest('wait-added', ['wait-added', String(blocks), timeout], true),
    ...add,
    ...(online === 'none' ? [] : [guest('online', ['online', online])]),
    ...(offlineFirst ? [guest('offline', ['offline'])] : []),
    guest('wait-removed', ['wait-removed', timeout], true),
    ...remove,
    guest('cleanup', ['cleanup']),
  ];
  return { method, blocks, steps };
}
