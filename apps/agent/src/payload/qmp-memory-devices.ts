import { cut, errMsg, isObj, Stop, token } from './hotplug-stop';
import type { HostQmp } from './hotplug-add-remove-runner';

const MiB = 1024 * 1024;

/**
 * What QEMU has in memory devices, asked over QMP before a cycle: a free
 * pc-dimm id pair, the virtio-mem device and its sizes. Answers that are
 * not what QMP documents end the run as the lab's ERROR.
 */
export class QmpMemoryDevices {
  constructor(
    private readonly qmp: HostQmp,
    /** For messages: which QEMU. */
    private readonly socket: string,
  ) {}

  /** The first pfnlab-dimm<N>/pfnlab-mem<N> pair neither in use as a device nor as an object. */
  async freeDimmIndex(): Promise<number> {
    const names = new Set<string>();
    for (const path of ['/objects', '/machine/peripheral']) {
      const list = await this.query('qom-list', { path });
      if (Array.isArray(list)) for (const x of list) if (isObj(x) && typeof x.name === 'string') names.add(x.name);
    }
    for (let n = 1; n < 10000; n++) if (!names.has(`pfnlab-mem${n}`) && !names.has(`pfnlab-dimm${n}`)) return n;
    throw new Stop('error', 'no_free_dimm_id', 'no free pfnlab-dimm<N> id (1..9999 all in use)');
  }

  /** The machine's first virtio-mem device, checked for room for `sizeBytes` more. */
  async virtioMemDevice(sizeBytes: number): Promise<string> {
    const devs = await this.query('query-memory-devices');
    const vm = (Array.isArray(devs) ? devs : []).find((d) => isObj(d) && d.type === 'virtio-mem' && isObj(d.data) && typeof d.data.id === 'string');
    if (!vm) throw new Stop('skip', 'no_virtio_mem_device', `QEMU at ${this.socket} has no virtio-mem device with an id (query-memory-devices)`);
    const d = vm.data as Record<string, unknown>;
    const id = String(d.id);
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(id)) throw new Stop('skip', 'virtio_mem_id', `virtio-mem device id ${JSON.stringify(id.slice(0, 40))} is not one pfnlab can name`);
    const max = Number(d['max-size']);
    const block = Number(d['block-size']);
    const cur = await this.qomNumber(id, 'requested-size');
    if (Number.isSafeInteger(block) && block > 0 && sizeBytes % block !== 0) throw new Stop('skip', 'size_not_a_multiple_of_the_device_block', `${sizeBytes / MiB} MiB is not a multiple of ${id}'s block size (${block} bytes)`);
    if (Number.isSafeInteger(max) && cur + sizeBytes > max) throw new Stop('skip', 'virtio_mem_too_small', `${sizeBytes / MiB} MiB more does not fit in ${id} (max-size ${max / MiB} MiB, ${cur / MiB} MiB requested now)`);
    return id;
  }

  async qomNumber(path: string, property: string): Promise<number> {
    const v = await this.query('qom-get', { path, property });
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Stop('error', 'qom_get', `QMP qom-get ${path} ${property}: not a size: ${cut(JSON.stringify(v) ?? 'undefined', 80)}`);
    return v;
  }

  private async query(execute: string, args?: Record<string, unknown>): Promise<unknown> {
    try {
      return await this.qmp.cmd(execute, args);
    } catch (e) {
      throw new Stop('error', token(`qmp_${execute}`), errMsg(e));
    }
  }
}
