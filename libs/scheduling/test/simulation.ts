import { decide, type QueuedRun, type SchedulingMachine, type SchedulingOptions } from '@pfnlab/scheduling';
import { MINUTE } from './fixtures';

export interface SimSubmission {
  run: Omit<QueuedRun, 'queuedAt'>;
  /** How long the run holds its machine once started. */
  minutes: number;
}

export interface SimResult {
  /** Run id -> minute it started. */
  started: Map<string, number>;
  /** Run id -> minute it was submitted. */
  submitted: Map<string, number>;
  /** Runs still queued at the end. */
  queued: QueuedRun[];
}

/**
 * A lab minute by minute: finished runs free their machines, new runs
 * arrive (`arrive` sees the queue as it stands), then one decision assigns
 * free machines. Time starts at minute 0 = epoch 0.
 */
export function simulate(opts: {
  machines: SchedulingMachine[];
  minutes: number;
  arrive: (minute: number, queued: readonly QueuedRun[]) => SimSubmission[];
  options?: SchedulingOptions;
  /** Stop early once this run has started. */
  until?: string;
}): SimResult {
  const machines = opts.machines.map((m) => ({ ...m, leasedBy: null as string | null }));
  const byName = new Map(machines.map((m) => [m.name, m]));
  const busyUntil = new Map<string, number>();
  const durations = new Map<string, number>();
  const started = new Map<string, number>();
  const submitted = new Map<string, number>();
  let queued: QueuedRun[] = [];
  for (let t = 0; t < opts.minutes; t++) {
    for (const m of machines) if (m.leasedBy !== null && busyUntil.get(m.name)! <= t) m.leasedBy = null;
    for (const s of opts.arrive(t, queued)) {
      queued.push({ ...s.run, queuedAt: t * MINUTE });
      durations.set(s.run.id, s.minutes);
      submitted.set(s.run.id, t);
    }
    // Nothing can change without a free machine in service (runs that no machine could ever take are refused below).
    if (!queued.length || !machines.some((m) => m.leasedBy === null && (m.health === 'good' || m.health === 'unknown'))) continue;
    const d = decide({ now: t * MINUTE, machines, runs: queued }, opts.options);
    if (d.impossible.length) throw new Error(`impossible in a simulation: ${d.impossible[0].reason}`);
    const users = new Map(queued.map((r) => [r.id, r.user]));
    for (const a of d.assignments) {
      const m = byName.get(a.machine)!;
      if (m.leasedBy !== null) throw new Error(`${a.machine} assigned while leased`);
      m.leasedBy = users.get(a.runId)!;
      busyUntil.set(m.name, t + durations.get(a.runId)!);
      started.set(a.runId, t);
    }
    const gone = new Set(d.assignments.map((a) => a.runId));
    queued = queued.filter((r) => !gone.has(r.id));
    if (opts.until && started.has(opts.until)) break;
  }
  return { started, submitted, queued };
}
