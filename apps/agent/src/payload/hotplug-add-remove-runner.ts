import { QmpError, type ExecOptions, type ExecResult, type QmpCommandOptions, type QmpEvent } from '@pfnlab/machines';
import {
  hotplugAddRemovePlan, parsePayloadOutput,
  type HotplugStep, type QmpAction,
} from '@pfnlab/payloads';
import { HotplugOutput } from './hotplug-output';
import { cut, errMsg, Stop, token } from './hotplug-stop';
import { QmpMemoryDevices } from './qmp-memory-devices';
import type { HotplugAddRemoveParams } from './payload-commands';

/** What the runner needs of the SSH session (SshSession; a fake in the unit spec). */
export interface GuestExec {
  exec(argv: string[], opts: ExecOptions): Promise<ExecResult>;
}

/** What the runner needs of a QMP connection (QmpClient; a fake in the unit spec). */
export interface HostQmp {
  cmd(execute: string, args?: Record<string, unknown>, opts?: QmpCommandOptions): Promise<unknown>;
  eventMark(): number;
  waitEvent(event: string, data: Record<string, unknown>, timeoutMs: number, after?: number): Promise<QmpEvent>;
  close(): void;
}
export type ConnectQmp = (socketPath: string) => Promise<HostQmp>;

export interface HotplugRunOutcome {
  /**
   * One run of marker lines, payload hotplug-add-remove: every guest
   * phase's samples, counts and info (iter = the cycle), the host's QMP
   * times (host_add, host_remove), and its end line (none when the run
   * could not finish: parsePayloadOutput then says incomplete).
   */
  output: string;
  /** Why it failed, was skipped or could not finish, in words (QMP errors, what was put back); absent when it passed. */
  reason?: string;
  /** Problems in the guest phases' own output, by cycle and phase. */
  problems: string[];
}

/**
 * One QMP step of a hotplug plan: the command, then the event that
 * completes it (device_del -> DEVICE_DELETED), counting only events that
 * came after the command was sent.
 */
export async function runQmpAction(qmp: HostQmp, a: QmpAction): Promise<unknown> {
  const mark = qmp.eventMark();
  const answer = await qmp.cmd(a.execute, a.arguments);
  if (a.waitEvent) await qmp.waitEvent(a.waitEvent.event, a.waitEvent.data, a.waitEvent.timeoutS * 1000, mark);
  return answer;
}

const SCRIPT = 'hotplug-add-remove-guest.sh';
const MiB = 1024 * 1024;
const MAX_OUTPUT = 8 * 1024 * 1024;
const READY_RE = /^@@PFNLAB v1 info run=[A-Za-z0-9_-]+ seq=\d+ ready=1 /m;
const PID_RE = /^pfnlab-pid=(\d{1,10})\r?$/m;

/**
 * hotplug-add-remove on one machine: N cycles of hotplugAddRemovePlan(),
 * the guest phases of hotplug-add-remove-guest.sh over SSH (a phase that
 * times what the host triggers is started first, and the host acts once it
 * printed `info ready=1`), the host steps over QMP (pc-dimm: object-add +
 * device_add, device_del + DEVICE_DELETED, object-del; virtio-mem: its
 * requested-size, read with qom-get before each cycle). A failure half-way
 * puts the machine back (offline and remove what was added) and says what
 * it did and what is left. One run per instance.
 */
export class HotplugAddRemoveRunner {
  private qmp?: HostQmp;
  /** The run's marker lines and problems, as they come. */
  private readonly out = new HotplugOutput();
  private deadline = 0;
  private signal!: AbortSignal;
  private p!: HotplugAddRemoveParams;
  /** What the host added and has not removed yet: what a failure must put back. */
  private present: { mem?: string; dimm?: string; virtio?: { device: string; baseBytes: number } } = {};
  private cycleNo = 0;
  /** virtio-mem: requested-size before the current cycle. */
  private virtioBase = 0;

  constructor(
    private readonly guest: GuestExec,
    private readonly connectQmp: ConnectQmp,
    /** Where the payload scripts were uploaded on the machine. */
    private readonly remoteDir: string,
  ) {}

  async run(p: HotplugAddRemoveParams, o: { timeoutMs: number; signal: AbortSignal }): Promise<HotplugRunOutcome> {
    this.p = p;
    this.signal = o.signal;
    this.deadline = Date.now() + o.timeoutMs;
    const begin: Array<[string, string | number]> = [['payload', 'hotplug-add-remove'], ['method', p.method], ['cycles', p.cycles], ['online', p.online]];
    let stop: Stop | undefined;
    try {
      const blockBytes = await this.blockSize();
      const blockMiB = blockBytes / MiB;
      const sizeMiB = p.sizeMiB ?? 2 * blockMiB;
      if ((sizeMiB * MiB) % blockBytes !== 0) {
        throw new Stop('skip', 'size_not_a_multiple_of_the_block_size', `size_mib ${sizeMiB} is not a multiple of the guest's memory block size (${blockMiB} MiB)`);
      }
      const sizeBytes = sizeMiB * MiB;
      begin.push(['size_mib', sizeMiB], ['block_size_mib', blockMiB], ['blocks', sizeBytes / blockBytes]);
      this.qmp = await this.connectQmp(p.qmpSocket).catch((e) => {
        throw new Stop('error', 'qmp_connect', errMsg(e));
      });
      const device = p.method === 'virtio-mem' ? await this.devices().virtioMemDevice(sizeBytes) : undefined;
      if (device) begin.push(['device', device]);
      for (let c = 0; c < p.cycles; c++) await this.cycle(c, sizeBytes, blockBytes, device);
    } catch (e) {
      stop = e instanceof Stop ? e : new Stop('error', 'agent_error', errMsg(e));
    } finally {
      this.qmp?.close();
    }
    if (!stop) this.out.add('end', [['status', 'ok'], ['cycles', p.cycles]]);
    else if (stop.status === 'skip') {
      this.out.add('skip', [['reason', stop.token]]);
      this.out.add('end', [['status', 'skip'], ['reason', stop.token]]);
    } else if (stop.status === 'fail') this.out.add('end', [['status', 'fail'], ['reason', stop.token], ['cycle', this.cycleNo]]);
    else this.out.add('info', [['error', stop.token], ['cycle', this.cycleNo]]);
    return { output: this.out.text(begin), ...(stop ? { reason: `hotplug-add-remove (${p.method}): ${stop.message}` } : {}), problems: this.out.problems };
  }

  // ---- one cycle --------------------------------------------------------------

  private async cycle(c: number, sizeBytes: number, blockSizeBytes: number, device: string | undefined): Promise<void> {
    this.cycleNo = c;
    const p = this.p;
    const plan = hotplugAddRemovePlan({
      method: p.method, sizeBytes, blockSizeBytes, timeoutS: p.timeoutS, onlineType: p.online,
      ...(p.method === 'pc-dimm' ? { index: await this.devices().freeDimmIndex() } : {}),
      ...(device ? { virtioMemDevice: device, virtioMemCurrentBytes: await this.requestedSize(device) } : {}),
    });
    try {
      for (let i = 0; i < plan.steps.length; i++) {
        const s = plan.steps[i];
        if (s.action.kind !== 'guest') {
          // the plan puts host steps after a guest phase that times them; a stray one runs on its own
          await this.hostSteps(c, [s], 'host_other');
          continue;
        }
        const host: HotplugStep[] = [];
        if (s.action.concurrentWithNext) while (plan.steps[i + 1]?.actor === 'host') host.push(plan.steps[++i]);
        const metric = s.id === 'wait-added' ? 'host_add' : s.id === 'wait-removed' ? 'host_remove' : 'host_other';
        await this.phase(c, s.id, s.action.args, host.length ? () => this.hostSteps(c, host, metric) : undefined);
      }
    } catch (e) {
      const stop = e instanceof Stop ? e : new Stop('error', 'agent_error', errMsg(e));
      const putBack = await this.putBack().catch((x) => `putting the machine back failed: ${errMsg(x)}`);
      throw new Stop(stop.status, stop.token, `cycle ${c + 1}/${p.cycles}: ${stop.message}${putBack ? `; ${putBack}` : ''}`);
    }
  }

  /**
   * One guest phase. With `host`: started first, and the host steps run once
   * it printed `info ready=1`; a host step that fails stops the phase (kill
   * by its pid) instead of letting it wait out its timeout.
   */
  private async phase(c: number, id: string, args: string[], host?: () => Promise<void>): Promise<void> {
    if (this.signal.aborted) throw new Stop('error', 'canceled', `canceled before guest phase ${id}: ${String(this.signal.reason ?? 'aborted')}`);
    const timeoutMs = this.remaining(`guest phase ${id}`);
    const script = `${this.remoteDir}/${SCRIPT}`;
    let res: ExecResult;
    let hostError: unknown;
    if (!host) {
      res = await this.guest.exec(['sh', script, ...args], { timeoutMs, maxBufferBytes: MAX_OUTPUT });
    } else {
      let out = '';
      let pid: string | undefined;
      let ready!: () => void;
      const isReady = new Promise<'ready'>((r) => (ready = () => r('ready')));
      // `exec` keeps the pid the wrapper printed: the phase can be stopped by it
      const running = this.guest.exec(['sh', '-c', 'echo "pfnlab-pid=$$"; exec sh "$0" "$@"', script, ...args], {
        timeoutMs, maxBufferBytes: MAX_OUTPUT,
        onStdout: (chunk) => {
          out += chunk;
          pid ??= PID_RE.exec(out)?.[1];
          if (READY_RE.test(out)) ready();
        },
      });
      let onAbort!: () => void;
      const aborted = new Promise<'aborted'>((r) => (onAbort = () => r('aborted')));
      this.signal.addEventListener('abort', onAbort, { once: true });
      try {
        let first = await Promise.race([isReady, running.then(() => 'ended' as const), aborted]);
        if (first === 'ready') {
          // a cancel does not wait for a host step (a DEVICE_DELETED that may never come)
          const acted = host().then(() => 'acted' as const, (e: unknown) => {
            hostError = e;
            return 'acted' as const;
          });
          if ((await Promise.race([acted, aborted])) === 'aborted') first = 'aborted';
        }
        if (first === 'aborted' || hostError !== undefined) await this.kill(pid ?? PID_RE.exec(out)?.[1]);
        res = await running;
        if (first === 'aborted') throw new Stop('error', 'canceled', `canceled during guest phase ${id}: ${String(this.signal.reason ?? 'aborted')}`);
      } finally {
        this.signal.removeEventListener('abort', onAbort);
      }
    }
    const r = parsePayloadOutput(res.stdout);
    this.out.absorb(c, id, r);
    if (hostError !== undefined) throw hostError;
    if (res.timedOut) throw new Stop('error', `${id}:timeout`, `guest phase ${id} did not finish within ${Math.round(timeoutMs / 1000)} s (the test's timeout)`);
    switch (r.status) {
      case 'ok':
        if (host && !READY_RE.test(res.stdout)) throw new Stop('error', `${id}:no_ready`, `guest phase ${id} ended without telling the host to act (no info ready=1)`);
        return;
      case 'skip':
        // before anything was added (the guest cannot do it at all: not root, no memory sysfs) a SKIP; later a FAIL
        if (id === 'prepare' && c === 0) throw new Stop('skip', token(r.skipReason ?? 'unspecified'), `guest phase ${id} skipped: ${r.skipReason ?? 'unspecified'}`);
        throw new Stop('fail', token(`${id}:skip:${r.skipReason ?? 'unspecified'}`), `guest phase ${id} skipped (${r.skipReason ?? 'unspecified'}) in the middle of a cycle`);
      case 'fail':
        throw new Stop('fail', token(`${id}:${r.failReason ?? 'unspecified'}`), `guest phase ${id} failed: ${r.failReason ?? 'unspecified'}${Object.keys(r.end).length ? ` (${Object.entries(r.end).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}`);
      default: {
        const why = res.code !== 0 ? `exit ${res.code ?? res.signal ?? '?'}${res.stderr.trim() ? `: ${cut(res.stderr)}` : ''}` : 'no end line';
        throw new Stop('error', token(`${id}:incomplete`), `guest phase ${id} did not finish (${why})`);
      }
    }
  }

  private async kill(pid: string | undefined): Promise<void> {
    if (!pid || !/^[1-9][0-9]{0,9}$/.test(pid)) return;
    await this.guest.exec(['kill', pid], { timeoutMs: 30_000 }).catch(() => undefined);
  }

  /** The host steps between two guest phases, timed together (host_add / host_remove, ns on the agent's clock). */
  private async hostSteps(c: number, steps: HotplugStep[], metric: string): Promise<void> {
    const t0 = process.hrtime.bigint();
    for (const s of steps) {
      if (s.action.kind !== 'qmp') throw new Stop('error', `${s.id}:not_qmp`, `host step ${s.id} is a ${s.action.kind} action; this agent drives only QMP`);
      const a = s.action;
      this.track(s.id, a, 'before');
      try {
        await runQmpAction(this.qmp!, a);
      } catch (e) {
        this.track(s.id, a, e instanceof QmpError ? 'refused' : 'unknown');
        if (e instanceof QmpError) throw new Stop('error', token(`${s.id}:${e.errorClass}`), `host step ${s.id} failed: ${e.message}`);
        if (a.waitEvent) throw new Stop('fail', token(`${s.id}:no_${a.waitEvent.event}`), `host step ${s.id}: ${errMsg(e)}: the guest did not give the memory back`);
        throw new Stop('error', token(`${s.id}:qmp`), `host step ${s.id} failed: ${errMsg(e)}`);
      }
      this.track(s.id, a, 'done');
    }
    const ns = Number(process.hrtime.bigint() - t0);
    this.out.add('sample', [['metric', metric], ['value', ns], ['unit', 'ns'], ['iter', c], ['method', this.p.method]]);
  }

  /**
   * What is plugged, as far as the host knows: an add counts as done from
   * the moment it is sent (a command without an answer may have worked)
   * until QEMU refused it; a remove only once it completed.
   */
  private track(step: string, a: QmpAction, phase: 'before' | 'done' | 'refused' | 'unknown'): void {
    const id = typeof a.arguments.id === 'string' ? a.arguments.id : undefined;
    const adding = phase === 'before' || phase === 'unknown';
    switch (step) {
      case 'object-add':
        if (phase !== 'done') this.present.mem = adding ? id : undefined;
        break;
      case 'device-add':
        if (phase !== 'done') this.present.dimm = adding ? id : undefined;
        break;
      case 'device-del':
        if (phase === 'done') this.present.dimm = undefined;
        break;
      case 'object-del':
        if (phase === 'done') this.present.mem = undefined;
        break;
      case 'requested-size-up':
        if (phase === 'refused') this.present.virtio = undefined;
        else if (phase === 'before') this.present.virtio = { device: String(a.arguments.path), baseBytes: this.virtioBase };
        break;
      case 'requested-size-down':
        if (phase === 'done') this.present.virtio = undefined;
        break;
    }
  }

  /**
   * After a failure: the guest offlines what it onlined, the host removes
   * what it added. Says what it did and what is left (a device that stays
   * plugged goes with the machine's recovery power cycle in the vlab).
   */
  private async putBack(): Promise<string> {
    const notes: string[] = [];
    const { mem, dimm, virtio } = this.present;
    // after a cancel the run is over: try, but briefly
    const to = Math.max(1, Math.min(this.p.timeoutS * 1000, this.deadline - Date.now(), this.signal.aborted ? 10_000 : Infinity));
    const quiet = (args: string[]) => this.guest.exec(['sh', `${this.remoteDir}/${SCRIPT}`, ...args], { timeoutMs: to, maxBufferBytes: MAX_OUTPUT }).catch(() => undefined);
    if ((dimm || virtio) && this.p.method === 'pc-dimm') await quiet(['offline']);
    if (dimm && this.qmp) {
      try {
        const mark = this.qmp.eventMark();
        let gone = false;
        try {
          await this.qmp.cmd('device_del', { id: dimm });
        } catch (e) {
          if (!(e instanceof QmpError)) throw e;
          // never plugged, or gone meanwhile: fine; a removal still under way: wait for it
          if (notFound(e)) gone = true;
          else if (!/in the process of unplug/i.test(e.description)) throw e;
        }
        if (!gone) await this.qmp.waitEvent('DEVICE_DELETED', { device: dimm }, to, mark);
        this.present.dimm = undefined;
        notes.push(`put back: removed ${dimm}`);
      } catch (e) {
        notes.push(`NOT put back: ${dimm} is still plugged (${errMsg(e)})`);
      }
    }
    if (mem && this.qmp) {
      if (this.present.dimm) notes.push(`NOT put back: ${mem} stays (its DIMM is still plugged)`);
      else {
        try {
          await this.qmp.cmd('object-del', { id: mem }).catch((e) => {
            if (!(e instanceof QmpError && notFound(e))) throw e;
          });
          this.present.mem = undefined;
          notes.push(`put back: deleted ${mem}`);
        } catch (e) {
          notes.push(`NOT put back: ${mem} is still there (${errMsg(e)})`);
        }
      }
    }
    if (virtio && this.qmp) {
      try {
        await this.qmp.cmd('qom-set', { path: virtio.device, property: 'requested-size', value: virtio.baseBytes });
        const end = Date.now() + to;
        let size = await this.devices().qomNumber(virtio.device, 'size');
        while (size !== virtio.baseBytes && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 500));
          size = await this.devices().qomNumber(virtio.device, 'size');
        }
        if (size === virtio.baseBytes) notes.push(`put back: ${virtio.device} unplugged to ${virtio.baseBytes / MiB} MiB`);
        else notes.push(`NOT put back: ${virtio.device} still has ${size / MiB} MiB plugged (requested ${virtio.baseBytes / MiB} MiB)`);
        this.present.virtio = undefined;
      } catch (e) {
        notes.push(`NOT put back: ${virtio.device} (${errMsg(e)})`);
      }
    }
    await quiet(['cleanup']);
    return notes.join('; ');
  }

  // ---- what the machine has ---------------------------------------------------

  private async blockSize(): Promise<number> {
    const f = '/sys/devices/system/memory/block_size_bytes';
    const r = await this.guest.exec(['cat', f], { timeoutMs: Math.min(60_000, this.remaining('reading the block size')) });
    const hex = r.stdout.trim();
    if (r.code !== 0 || !/^[0-9a-fA-F]{1,13}$/.test(hex)) {
      throw new Stop('skip', 'no_memory_block_size', `the guest has no readable ${f} (no memory hotplug in this kernel?)${r.stderr.trim() ? `: ${cut(r.stderr)}` : ''}`);
    }
    const bytes = parseInt(hex, 16);
    if (bytes < MiB || bytes % MiB !== 0) throw new Stop('error', 'bad_block_size', `the guest's memory block size ${hex} (hex) is not a whole number of MiB`);
    return bytes;
  }

  private async requestedSize(device: string): Promise<number> {
    const v = await this.devices().qomNumber(device, 'requested-size');
    this.virtioBase = v;
    return v;
  }

  private devices(): QmpMemoryDevices {
    return new QmpMemoryDevices(this.qmp!, this.p.qmpSocket);
  }

  private remaining(what: string): number {
    const ms = this.deadline - Date.now();
    if (ms <= 0) throw new Stop('error', 'timeout', `the test's timeout ran out before ${what}`);
    return ms;
  }
}

function notFound(e: QmpError): boolean {
  return e.errorClass === 'DeviceNotFound' || /not found/i.test(e.description);
}
