import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { specForVariant, stepTimeouts, type JobSpec, type RunDispatch } from '@pfnlab/contracts';
import { decide, type Decision } from '@pfnlab/scheduling';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { JobEntity, RunEntity } from '../db/entities';
import { MachineLeases } from './machine-leases';
import { RUN_QUEUES, RunQueues } from './run-queues';
import { loadSchedulingSnapshot, type OpenSlot, type SnapshotMachine } from './scheduling-snapshot';

/** Slack on top of the sum of step timeouts, for the agent's own bookkeeping. */
const LEASE_MARGIN_SECONDS = 120;
/** How often each replica looks at the whole queue (runs that wait for a machine, retries past their backoff). */
export const SCHEDULER_INTERVAL_MS = 1000;
/** One scheduler at a time across all server replicas (a transaction-scoped advisory lock). */
const SCHEDULER_LOCK = 0x7066_6e01; // "pfn" 1

export interface TickResult {
  /** False when another replica held the scheduler lock: nothing was decided here. */
  ran: boolean;
  dispatched: Array<{ runId: string; jobId: string; machine: string; attempt: number }>;
  impossible: Array<{ jobId: string; reason: string }>;
  /** Jobs with a run still waiting for a machine after this tick. */
  waitingJobs: Set<string>;
  decideMs: number;
}

interface Leased { dispatch: RunDispatch; lab: string; machineId: string; machine: string }

/**
 * The scheduler: one libs/scheduling decision for the whole queue per tick,
 * then a lease per assignment. The advisory lock lets one replica decide at
 * a time; the lease (a conditional UPDATE with a fencing token) is what
 * makes a double booking impossible even if two decisions overlapped.
 * Runs and leases are committed before the runs are queued to the agents,
 * so an agent never sees a run the database does not have.
 */
@Injectable()
export class RunScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(RunScheduler.name);
  private timer?: NodeJS.Timeout;
  private current: Promise<TickResult> | null = null;
  private next: Promise<TickResult> | null = null;
  /** Job specs by job id: a spec never changes after submission, so each is read once, not every tick. */
  private readonly specs = new Map<string, JobSpec>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly leases: MachineLeases,
    @Inject(RUN_QUEUES) private readonly queues: RunQueues,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.workers) return;
    // Jittered (0.75 to 1.25 intervals): replicas that tick in lockstep would find the lock
    // taken by the same one every time, and the others would never schedule.
    const again = () => {
      this.timer = setTimeout(() => {
        void this.tick().catch((e: Error) => this.log.warn(`scheduling failed: ${e.message}`)).finally(() => {
          if (this.timer) again();
        });
      }, SCHEDULER_INTERVAL_MS * (0.75 + Math.random() / 2));
      this.timer.unref();
    };
    again();
  }

  onModuleDestroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * A tick that starts after this call (callers arriving during a tick
   * share the one after it): many callers cost one decision, and no caller
   * gets a decision made before its job was committed.
   */
  tick(): Promise<TickResult> {
    if (!this.current) {
      this.current = this.runTick().finally(() => (this.current = null));
      return this.current;
    }
    this.next ??= this.current.catch(() => undefined).then(() => {
      this.next = null;
      return this.tick();
    });
    return this.next;
  }

  private async runTick(): Promise<TickResult> {
    const result: TickResult = { ran: false, dispatched: [], impossible: [], waitingJobs: new Set(), decideMs: 0 };
    /** Open runs per job that could get a machine in this tick. */
    const open = new Map<string, number>();
    let timing = '';
    const leased = await this.db.transaction(async (em) => {
      const [{ locked }] = await em.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [SCHEDULER_LOCK]);
      if (!locked) return [];
      result.ran = true;
      const now = Date.now();
      const t0 = performance.now();
      const snap = await loadSchedulingSnapshot(em, now, this.specs);
      if (!snap.runs.length) return [];
      const t1 = performance.now();
      const decision = decide({ now, machines: snap.machines, runs: snap.runs });
      const t2 = performance.now();
      result.decideMs = t2 - t1;
      const impossible = new Set(decision.impossible.map((i) => i.runId));
      for (const [id, slot] of snap.slots) if (!impossible.has(id)) open.set(slot.jobId, (open.get(slot.jobId) ?? 0) + 1);
      await this.endImpossible(em, decision, snap.slots, result);
      const byName = new Map(snap.machines.map((m) => [m.name, m]));
      const out = await this.leaseAll(em, decision.assignments.map((a) => ({ slot: snap.slots.get(a.runId)!, machine: byName.get(a.machine)! })));
      const t3 = performance.now();
      timing = `decision ${(t3 - t0).toFixed(1)} ms (snapshot ${(t1 - t0).toFixed(1)}, decide ${(t2 - t1).toFixed(1)}, leases ${(t3 - t2).toFixed(1)}) for ${snap.runs.length} open runs and ${snap.machines.length} machines: ${out.length} leased`;
      return out;
    });
    // The servers' own measure of a scheduling decision (bench/scheduling/scheduler-replicas.ts reads it).
    if (timing) this.log.debug(`scheduler tick: ${timing}`);
    const queued = await Promise.all(leased.map((l) => this.enqueue(l)));
    leased.forEach((l, i) => {
      if (queued[i]) result.dispatched.push({ runId: l.dispatch.runId, jobId: l.dispatch.jobId, machine: l.machine, attempt: l.dispatch.attempt });
    });
    // A job whose every open run got a machine no longer waits.
    for (const l of leased) open.set(l.dispatch.jobId, (open.get(l.dispatch.jobId) ?? 0) - 1);
    result.waitingJobs = new Set([...open].filter(([, left]) => left > 0).map(([id]) => id));
    return result;
  }

  /** A job no machine in service could take ends at once, with the reason (an A/B job also when its machine left service). */
  private async endImpossible(em: EntityManager, decision: Decision, slots: Map<string, OpenSlot>, result: TickResult): Promise<void> {
    const ended = new Set<string>();
    for (const { runId, reason } of decision.impossible) {
      const slot = slots.get(runId)!;
      if (ended.has(slot.jobId)) continue;
      ended.add(slot.jobId);
      const why = reason.replace(/^no machine can take it:/, 'no machine can take this job:');
      const states = slot.pinned || !slot.jobQueued ? ['queued', 'running'] : ['queued'];
      await em.update(JobEntity, { id: slot.jobId, state: In(states) }, { state: 'finished', verdict: 'ERROR', verdictReason: why.slice(0, 2000), finishedAt: new Date() });
      result.impossible.push({ jobId: slot.jobId, reason: why });
      this.log.warn(`job ${slot.jobId}: ${why}`);
    }
  }

  /**
   * Leases the machines of a tick's assignments and stores their runs, in
   * three statements whatever their number; an assignment whose lease was
   * lost to a race gets no run.
   */
  private async leaseAll(em: EntityManager, assigned: Array<{ slot: OpenSlot; machine: SnapshotMachine }>): Promise<Leased[]> {
    if (!assigned.length) return [];
    const wanted = assigned.map(({ slot, machine }) => ({
      slot,
      machine,
      runId: randomUUID(),
      seconds: Object.values(stepTimeouts(slot.spec)).reduce((a, b) => a + b, 0) + LEASE_MARGIN_SECONDS,
    }));
    const leases = await this.leases.acquireMany(wanted.map((w) => ({ machineId: w.machine.id, runId: w.runId, seconds: w.seconds })), em);
    const won = wanted.filter((w) => leases.has(w.machine.id)).map((w) => ({ ...w, lease: leases.get(w.machine.id)! }));
    if (!won.length) return [];
    // created_at is when the lease was taken (not the transaction's start): a run's row spans its lease.
    await em.query(
      `INSERT INTO runs (id, job_id, iteration, variant, round, attempt, state, machine_id, lease_token, created_at)
       SELECT id, job_id, iteration, variant, round, attempt, 'queued', machine_id, lease_token, clock_timestamp()
       FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::int[], $6::int[], $7::uuid[], $8::bigint[])
         AS r(id, job_id, iteration, variant, round, attempt, machine_id, lease_token)`,
      [
        won.map((w) => w.runId), won.map((w) => w.slot.jobId), won.map((w) => w.slot.slot.iteration), won.map((w) => w.slot.slot.variant),
        won.map((w) => w.slot.slot.round), won.map((w) => w.slot.attempt), won.map((w) => w.machine.id), won.map((w) => w.lease.token),
      ],
    );
    await em.query(`UPDATE jobs SET state = 'running', updated_at = now() WHERE id = ANY($1::uuid[]) AND state = 'queued'`, [[...new Set(won.map((w) => w.slot.jobId))]]);
    return won.map(({ slot, machine, runId, lease }) => {
      const { variant, iteration } = slot.slot;
      return {
        lab: machine.lab,
        machineId: machine.id,
        machine: machine.name,
        dispatch: {
          runId, jobId: slot.jobId, machine: machine.name, leaseToken: lease.token, leaseExpiresAt: lease.expiresAt.toISOString(),
          spec: specForVariant(slot.spec, variant), attempt: slot.attempt, iteration,
        },
      };
    });
  }

  /** Hands the run to its lab's agents; if that fails the run and its lease are undone, and the next tick tries again. */
  private async enqueue(l: Leased): Promise<boolean> {
    try {
      await this.queues.dispatch(l.lab, l.dispatch);
      const { dispatch: d } = l;
      this.log.log(`job ${d.jobId} run ${d.iteration}${d.attempt > 1 ? ` attempt ${d.attempt}` : ''} -> ${l.machine} (run ${d.runId})`);
      return true;
    } catch (e) {
      this.log.warn(`run ${l.dispatch.runId} could not be queued for lab ${l.lab}: ${(e as Error).message}; undone`);
      await this.db.transaction(async (em) => {
        await this.leases.release(l.machineId, l.dispatch.runId, l.dispatch.leaseToken, em);
        await em.delete(RunEntity, { id: l.dispatch.runId, state: 'queued' });
      });
      return false;
    }
  }
}
