import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, In, Repository } from 'typeorm';
import type { JobSpec, JobState } from '@pfnlab/contracts';
import type { Principal } from '../auth/principal';
import { keysetPage, type Page } from '../common/pagination';
import { isConnectionError, unavailable } from '../common/service-unavailable';
import { JobEntity, RunEntity } from '../db/entities';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue';
import { RunCanceller } from '../runs/run-canceller';

export interface JobFilter {
  state?: JobState;
  arch?: string;
  submittedBy?: string;
  limit: number;
  cursor?: string;
}

@Injectable()
export class JobsService {
  private readonly log = new Logger(JobsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(JobEntity) private readonly jobs: Repository<JobEntity>,
    @InjectRepository(RunEntity) private readonly runs: Repository<RunEntity>,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly runCanceller: RunCanceller,
  ) {}

  /**
   * Persists a job and enqueues it as one unit. The queue entry is added
   * inside the database transaction: if Redis refuses, the transaction rolls
   * back (503, nothing written); if the commit fails after the enqueue, the
   * entry is removed again, and any that survives is dropped by the
   * dispatcher, which finds no row (RunDispatcher.committedJob).
   * QueueReconciler covers the opposite case.
   */
  async submit(spec: JobSpec, by: Principal): Promise<JobEntity> {
    const id = randomUUID();
    let enqueued = false;
    try {
      return await this.db.transaction(async (em) => {
        const job = em.create(JobEntity, {
          id,
          name: spec.name ?? null,
          spec,
          arch: spec.arch,
          priority: spec.priority,
          state: 'queued',
          submittedBy: by.userId,
          abState: spec.baseline ? 'measuring' : null,
        });
        await em.insert(JobEntity, job);
        try {
          await this.queue.enqueue(id, spec.priority);
          enqueued = true;
        } catch (err) {
          throw unavailable('Redis', err);
        }
        return job;
      });
    } catch (err) {
      if (enqueued) await this.queue.remove(id).catch((e) => this.log.warn(`could not remove orphan queue entry ${id}: ${e.message}`));
      if (isConnectionError(err)) throw unavailable('PostgreSQL', err);
      throw err;
    }
  }

  async get(id: string): Promise<JobEntity> {
    const job = await this.jobs.findOne({ where: { id } });
    if (!job) throw new NotFoundException(`no job ${id}`);
    return job;
  }

  async runsOf(jobId: string): Promise<RunEntity[]> {
    return this.runs.find({ where: { jobId }, order: { iteration: 'ASC', variant: 'ASC', attempt: 'ASC' } });
  }

  async list(f: JobFilter): Promise<Page<JobEntity>> {
    const qb = this.jobs.createQueryBuilder('j');
    if (f.state) qb.andWhere('j.state = :state', { state: f.state });
    if (f.arch) qb.andWhere('j.arch = :arch', { arch: f.arch });
    if (f.submittedBy) qb.andWhere('j.submitted_by = :by', { by: f.submittedBy });
    return keysetPage(qb, 'j', f);
  }

  /**
   * Cancels a queued or running job. The state change is the commit point;
   * removing the waiting queue entry is best effort because consumers skip
   * jobs that are no longer queued.
   */
  async cancel(id: string): Promise<JobEntity> {
    const now = new Date();
    const r = await this.jobs.update(
      { id, state: In(['queued', 'running']) },
      { state: 'canceled', verdict: 'CANCELED', verdictReason: 'canceled by user', finishedAt: now },
    );
    if (!r.affected) {
      const job = await this.get(id);
      throw new ConflictException(`job ${id} is ${job.state}${job.verdict ? ` (${job.verdict})` : ''}; only queued or running jobs can be canceled`);
    }
    await this.queue.remove(id).catch((e) => this.log.warn(`cancel ${id}: queue entry not removed (${e.message}); consumers will skip it`));
    await this.runCanceller.cancelJob(id).catch((e) => this.log.warn(`cancel ${id}: runs not all stopped yet (${e.message}); their agents or the lease reaper end them`));
    return this.get(id);
  }
}
