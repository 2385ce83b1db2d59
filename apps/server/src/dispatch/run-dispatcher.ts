import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { runsBaselineItself, runSlots, specForVariant, stepTimeouts, type JobSpec, type RunSlot } from '@pfnlab/contracts';
import { JobEntity, LabEntity, MachineEntity, RunEntity } from '../db/entities';
import { MachineLeases } from './machine-leases';
import { RUN_QUEUES, RunQueues } from './run-queues';

export type DispatchOutcome = { state: 'dispatched' | 'waiting' | 'gone' } | { state: 'impossible'; reason: string };

/** Slack on top of the sum of step timeouts, for the agent's own bookkeeping. */
const LEASE_MARGIN_SECONDS = 120;

/**
 * Turns a queued job into runs on machines: one run per repeat, each on a
 * machine matching the target, leased before the run is handed to the
 * machine's agent. A job no machine could ever take ends at once with a
 * reason instead of waiting in the queue. An A/B job's runs (baseline and
 * candidate alternating, libs/contracts paired-runs) all go to the machine
 * its first run got, in slot order: a comparison across machines would
 * measure the machines.
 */
@Injectable()
export class RunDispatcher {
  private readonly log = new Logger(RunDispatcher.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly leases: MachineLeases,
    @Inject(RUN_QUEUES) private readonly queues: RunQueues,
  ) {}

  async dispatch(jobId: string): Promise<DispatchOutcome> {
    const job = await this.committedJob(jobId);
    if (job.state === 'finished' || job.state === 'canceled') return { state: 'gone' };
    const spec = job.spec;
    const runs = await this.db.getRepository(RunEntity).find({ where: { jobId }, order: { createdAt: 'ASC' } });
    const pinned = runsBaselineItself(spec) ? runs.find((r) => r.machineId)?.machineId : undefined;
    const candidates = (await this.candidates(spec)).filter((m) => !pinned || m.id === pinned);
    if (!candidates.length) {
      const reason = pinned
        ? 'the machine of this A/B job\'s first runs is no longer in service; its remaining runs cannot go elsewhere (a comparison across machines measures the machines)'
        : `no machine can take this job: ${describeTarget(spec)} matches no machine that is in service`;
      await this.db.getRepository(JobEntity).update({ id: job.id, state: pinned ? In(['queued', 'running']) : 'queued' }, { state: 'finished', verdict: 'ERROR', verdictReason: reason, finishedAt: new Date() });
      return { state: 'impossible', reason };
    }
    const dispatched = new Set(runs.filter((r) => r.machineId).map((r) => `${r.variant}:${r.iteration}`));
    const leaseSeconds = Object.values(stepTimeouts(spec)).reduce((a, b) => a + b, 0) + LEASE_MARGIN_SECONDS;
    const open = runSlots(spec, job.abState === 'confirming' ? 2 : 1).filter((slot) => !dispatched.has(`${slot.variant}:${slot.iteration}`));
    if (runsBaselineItself(spec)) {
      // One run at a time, in slot order, so they alternate on one machine; the rest wait their turn.
      const sent = open.length ? await this.dispatchOne(job, open[0], candidates, leaseSeconds) : true;
      return { state: !sent || open.length > 1 ? 'waiting' : 'dispatched' };
    }
    let waiting = false;
    for (const slot of open) if (!(await this.dispatchOne(job, slot, candidates, leaseSeconds))) waiting = true;
    return { state: waiting ? 'waiting' : 'dispatched' };
  }

  /**
   * The job's row. Submission enqueues inside its transaction, so the queue
   * entry can be here a moment before the row is committed: look again
   * briefly, then fail (BullMQ retries with backoff; an entry whose row
   * never appears, because its transaction rolled back, ends there).
   */
  private async committedJob(jobId: string): Promise<JobEntity> {
    for (let i = 0; i < 10; i++) {
      const job = await this.db.getRepository(JobEntity).findOne({ where: { id: jobId } });
      if (job) return job;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`job ${jobId} has no row (its submission did not commit)`);
  }

  /**
   * Leases a machine for one run. The run and its lease are committed
   * before the run is queued, so the agent never sees a run the database
   * does not have yet; if queuing fails, the lease and the run are undone.
   */
  private async dispatchOne(job: JobEntity, slot: RunSlot, candidates: Array<MachineEntity & { lab: LabEntity }>, leaseSeconds: number): Promise<boolean> {
    const { iteration, variant, round } = slot;
    for (const machine of candidates) {
      const leased = await this.db
        .transaction(async (em) => {
          const run = em.create(RunEntity, { jobId: job.id, iteration, variant, round, attempt: 1, state: 'queued', machineId: machine.id });
          await em.insert(RunEntity, run);
          const lease = await this.leases.acquire(machine.id, run.id, leaseSeconds, em);
          if (!lease) throw new LeaseBusy();
          await em.update(RunEntity, { id: run.id }, { leaseToken: lease.token });
          await em.update(JobEntity, { id: job.id, state: 'queued' }, { state: 'running' });
          return { run, lease };
        })
        .catch((e) => {
          if (e instanceof LeaseBusy) return null;
          throw e;
        });
      if (!leased) continue;
      const { run, lease } = leased;
      try {
        await this.queues.dispatch(machine.lab.name, {
          runId: run.id,
          jobId: job.id,
          machine: machine.name,
          leaseToken: lease.token,
          leaseExpiresAt: lease.expiresAt.toISOString(),
          spec: specForVariant(job.spec, variant),
          attempt: 1,
          iteration,
        });
      } catch (e) {
        await this.db.transaction(async (em) => {
          await this.leases.release(machine.id, run.id, lease.token, em);
          await em.delete(RunEntity, { id: run.id });
        });
        throw e;
      }
      this.log.log(`job ${job.id} run ${variant === 'baseline' ? 'baseline ' : ''}${iteration} -> ${machine.name} (run ${run.id})`);
      return true;
    }
    return false;
  }

  /** Machines in service that match the target, good ones first. */
  private async candidates(spec: JobSpec): Promise<Array<MachineEntity & { lab: LabEntity }>> {
    const qb = this.db
      .getRepository(MachineEntity)
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.lab', 'lab')
      .where(`m.health IN ('good', 'unknown')`)
      .andWhere('m.arch = :arch', { arch: spec.arch })
      .orderBy(`CASE m.health WHEN 'good' THEN 0 ELSE 1 END`)
      .addOrderBy('m.name');
    if ('machine' in spec.target) qb.andWhere('m.name = :name', { name: spec.target.machine });
    else {
      const s = spec.target.selector;
      if (s.platform) qb.andWhere('m.platform = :platform', { platform: s.platform });
      if (s.tags.length) qb.andWhere('m.tags @> :tags', { tags: s.tags });
      if (s.minMemoryMiB) qb.andWhere('m.memory_mib >= :mem', { mem: s.minMemoryMiB });
    }
    return (await qb.getMany()) as Array<MachineEntity & { lab: LabEntity }>;
  }
}

class LeaseBusy extends Error {}

export function describeTarget(spec: JobSpec): string {
  if ('machine' in spec.target) return `machine "${spec.target.machine}" (${spec.arch})`;
  const s = spec.target.selector;
  const parts = [`arch ${spec.arch}`, s.platform && `platform ${s.platform}`, s.tags.length && `tags ${s.tags.join(',')}`, s.minMemoryMiB && `>= ${s.minMemoryMiB} MiB`].filter(Boolean);
  return `selector (${parts.join(', ')})`;
}
