import type { ExecOptions, ExecResult, QmpEvent } from '@pfnlab/machines';
import { QmpError } from '@pfnlab/machines';
import { formatMarkerLine } from '@pfnlab/payloads';
import type { HostQmp } from '../hotplug-add-remove-runner';

/*
 * A fake guest (the phases of hotplug-add-remove-guest.sh, emulated with
 * their marker lines) and a fake QEMU (QMP commands acting on the guest's
 * memory blocks) sharing one World, for HotplugAddRemoveRunner's unit spec.
 */

export const MiB = 1024 * 1024;
export const DIR = '/tmp/pfnlab-payloads';
export const tick = (ms = 2) => new Promise((r) => setTimeout(r, ms));

/** The machine both fakes share: memory blocks, what QEMU has plugged, and one log of what happened in order. */
export class World {
  log: string[] = [];
  baseBlocks = 8;
  /** Blocks present beyond the base, with their state. */
  added: Array<'offline' | 'online'> = [];
  blockBytes = 128 * MiB;
  requestedSize = 0;
  objects = new Set<string>();
  dimms = new Map<string, number>();
  /** Guest behaviour. */
  guestRefusesEject = false;
  prepareSkip?: string;
  garbageInOnline = false;

  plug(bytes: number): void {
    setTimeout(() => {
      for (let i = 0; i < bytes / this.blockBytes; i++) this.added.push('offline');
    }, 5);
  }

  /** An ACPI eject needs the blocks offline; the virtio-mem driver offlines movable blocks itself (driverOfflines). */
  unplug(bytes: number, driverOfflines = false): boolean {
    const n = bytes / this.blockBytes;
    if (this.guestRefusesEject || (!driverOfflines && this.added.slice(-n).some((s) => s === 'online'))) return false;
    setTimeout(() => this.added.splice(this.added.length - n, n), 5);
    return true;
  }
}

export class FakeGuest {
  private runs = 0;
  private readonly waiting = new Map<string, () => void>();
  constructor(private readonly w: World) {}

  async exec(argv: string[], o: ExecOptions): Promise<ExecResult> {
    const done = (stdout: string, code: number | null = 0, stderr = ''): ExecResult => ({ code, signal: null, stdout, stderr, timedOut: false });
    if (argv[0] === 'cat') return done(`${this.w.blockBytes.toString(16)}\n`);
    if (argv[0] === 'kill') {
      this.w.log.push(`guest kill ${argv[1]}`);
      this.waiting.get(argv[1])?.();
      return done('');
    }
    const concurrent = argv[0] === 'sh' && argv[1] === '-c';
    if (concurrent) expect(argv[2]).toBe('echo "pfnlab-pid=$$"; exec sh "$0" "$@"');
    const [script, phase, ...args] = concurrent ? argv.slice(3) : argv.slice(1);
    expect(script).toBe(`${DIR}/hotplug-add-remove-guest.sh`);
    const run = `g${++this.runs}`;
    let seq = 0;
    let out = '';
    const emit = (kind: Parameters<typeof formatMarkerLine>[0], fields: Array<[string, string | number]>) => {
      const l = `${formatMarkerLine(kind, run, seq++, fields)}\n`;
      out += l;
      o.onStdout?.(l);
    };
    const pid = String(4000 + this.runs);
    if (concurrent) {
      out += `pfnlab-pid=${pid}\n`;
      o.onStdout?.(`pfnlab-pid=${pid}\n`);
    }
    this.w.log.push(`guest ${[phase, ...args].join(' ')}`);
    emit('begin', [['payload', 'hotplug-add-remove'], ['arch', 'x86_64'], ['kernel', '6.1.0-fake'], ['clock', 'timer_list'], ['clock_res_ns', 1], ['phase', phase]]);
    const waitFor = async (ok: () => boolean, timeoutS: number): Promise<'ok' | 'timeout' | 'killed'> => {
      let killed = false;
      this.waiting.set(pid, () => (killed = true));
      const end = Date.now() + timeoutS * 1000;
      while (!ok() && !killed && Date.now() < end) await tick();
      this.waiting.delete(pid);
      return killed ? 'killed' : ok() ? 'ok' : 'timeout';
    };
    switch (phase) {
      case 'prepare':
        if (this.w.prepareSkip) {
          emit('skip', [['reason', this.w.prepareSkip]]);
          emit('end', [['status', 'skip'], ['reason', this.w.prepareSkip]]);
          break;
        }
        emit('info', [['blocks', this.w.baseBlocks + this.w.added.length]]);
        emit('end', [['status', 'ok']]);
        break;
      case 'wait-added': {
        const n = Number(args[0]);
        await tick(3);
        emit('info', [['ready', 1], ['poll_ns', 50000000]]);
        this.w.log.push('guest wait-added ready');
        const r = await waitFor(() => this.w.added.length >= n, Number(args[1]));
        if (r === 'killed') return done(out, null);
        if (r === 'timeout') {
          emit('count', [['metric', 'add_timeout'], ['value', 1], ['unit', 'count']]);
          emit('end', [['status', 'fail'], ['reason', 'timeout_waiting_for_blocks']]);
          break;
        }
        for (let i = 0; i < n; i++) emit('sample', [['metric', 'block_visible'], ['value', 1000 + i], ['unit', 'ns'], ['block', `memory${this.w.baseBlocks + i}`]]);
        emit('sample', [['metric', 'add_visible'], ['value', 5000], ['unit', 'ns'], ['blocks', n]]);
        emit('end', [['status', 'ok'], ['blocks', n]]);
        break;
      }
      case 'online':
      case 'offline':
        if (phase === 'online' && this.w.garbageInOnline) {
          out += '@@PFNLAB v1 sample run=g99 seq=0 metric=online value=$(reboot) unit=ns len=3\n';
        }
        this.w.added.forEach((_, i) => {
          this.w.added[i] = phase === 'online' ? 'online' : 'offline';
          emit('sample', [['metric', phase], ['value', 200000 + i], ['unit', 'ns'], ['block', `memory${this.w.baseBlocks + i}`], ['type', phase === 'online' ? args[0] : 'offline']]);
        });
        emit('end', [['status', 'ok']]);
        break;
      case 'wait-removed': {
        const had = this.w.added.length;
        if (!had) {
          emit('skip', [['reason', 'no_added_block']]);
          emit('end', [['status', 'skip'], ['reason', 'no_added_block']]);
          break;
        }
        await tick(3);
        emit('info', [['ready', 1]]);
        this.w.log.push('guest wait-removed ready');
        const r = await waitFor(() => this.w.added.length === 0, Number(args[0]));
        if (r === 'killed') return done(out, null);
        if (r === 'timeout') {
          emit('end', [['status', 'fail'], ['reason', 'timeout_waiting_for_removal']]);
          break;
        }
        emit('sample', [['metric', 'remove_visible'], ['value', 7000], ['unit', 'ns'], ['blocks', had]]);
        emit('end', [['status', 'ok']]);
        break;
      }
      case 'cleanup':
        emit('end', [['status', 'ok']]);
        break;
      default:
        throw new Error(`fake guest: unexpected ${argv.join(' ')}`);
    }
    return done(out);
  }
}

export class FakeQemu implements HostQmp {
  events: QmpEvent[] = [];
  commands: Array<[string, Record<string, unknown> | undefined]> = [];
  refuse: Record<string, string> = {};
  closed = false;
  constructor(private readonly w: World) {}

  async cmd(execute: string, args: Record<string, unknown> = {}): Promise<unknown> {
    this.commands.push([execute, args]);
    await tick(1);
    if (this.refuse[execute]) throw new QmpError(execute, 'GenericError', this.refuse[execute]);
    const w = this.w;
    switch (execute) {
      case 'qom-list':
        return args.path === '/objects' ? [...w.objects].map((name) => ({ name, type: 'child<memory-backend-ram>' })).concat([{ name: 'pfnlab-mem1', type: 'x' }].filter(() => w.log.includes('stale pfnlab-mem1'))) : [...w.dimms.keys()].map((name) => ({ name, type: 'child<pc-dimm>' }));
      case 'query-memory-devices':
        return [{ type: 'virtio-mem', data: { id: 'vm0', 'max-size': 2048 * MiB, 'block-size': 2 * MiB, size: w.requestedSize, 'requested-size': w.requestedSize } }];
      case 'qom-get':
        return args.property === 'requested-size' || args.property === 'size' ? w.requestedSize : undefined;
      case 'qom-set': {
        w.log.push(`qmp qom-set ${args.value}`);
        const v = Number(args.value);
        if (v > w.requestedSize) w.plug(v - w.requestedSize);
        else w.unplug(w.requestedSize - v, true);
        w.requestedSize = v;
        return {};
      }
      case 'object-add':
        w.log.push(`qmp object-add ${args.id}`);
        w.objects.add(String(args.id));
        return {};
      case 'device_add':
        w.log.push(`qmp device_add ${args.id}`);
        w.dimms.set(String(args.id), Number(w.objects.has(String(args.memdev)) ? 512 * MiB : 0));
        w.plug(512 * MiB);
        return {};
      case 'device_del': {
        w.log.push(`qmp device_del ${args.id}`);
        const id = String(args.id);
        if (!w.dimms.has(id)) throw new QmpError(execute, 'DeviceNotFound', `Device '${id}' not found`);
        if (w.unplug(512 * MiB)) {
          setTimeout(() => {
            w.dimms.delete(id);
            this.events.push({ event: 'DEVICE_DELETED', data: { device: id, path: `/machine/peripheral/${id}` }, seq: this.events.length });
          }, 6);
        }
        return {};
      }
      case 'object-del':
        w.log.push(`qmp object-del ${args.id}`);
        if ([...w.dimms.keys()].length) throw new QmpError(execute, 'GenericError', `object '${args.id}' is in use, can not be deleted`);
        w.objects.delete(String(args.id));
        return {};
      default:
        throw new Error(`fake qemu: unexpected ${execute}`);
    }
  }

  eventMark(): number {
    return this.events.length;
  }

  async waitEvent(event: string, data: Record<string, unknown>, timeoutMs: number, after = 0): Promise<QmpEvent> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.find((x) => x.seq >= after && x.event === event && Object.entries(data).every(([k, v]) => x.data[k] === v));
      if (e) return e;
      if (Date.now() > end) throw new Error(`QMP event ${event} ${JSON.stringify(data)} not seen within ${timeoutMs} ms at /fake/qmp.sock`);
      await tick();
    }
  }

  close(): void {
    this.closed = true;
  }
}

