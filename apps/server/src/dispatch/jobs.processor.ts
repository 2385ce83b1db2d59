import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError, type Job } from 'bullmq';
import { DataSource, In } from 'typeorm';
import { JobEntity } from '../db/entities';
import { JOBS_QUEUE_NAME } from '../queue/job-queue';
import { RunScheduler } from './run-scheduler';

/**
 * How long a waiting job's queue entry sleeps before it wakes the scheduler
 * again. The scheduler's own tick (every second, whole queue) is what
 * places runs; the entry is the job's durable mark in the queue (depth,
 * QueueReconciler) and a wake-up at submission.
 */
export const WAIT_FOR_MACHINE_MS = 10_000;

/**
 * Consumes the jobs queue. Every server replica runs one; an entry asks for
 * a scheduling tick that starts after it arrived (so it sees the job's
 * committed row), then sleeps while the job still waits for a machine.
 */
@Processor(JOBS_QUEUE_NAME, { concurrency: 4, maxStalledCount: 10 })
export class JobsProcessor extends WorkerHost {
  private readonly log = new Logger(JobsProcessor.name);

  constructor(
    private readonly scheduler: RunScheduler,
    @InjectDataSource() private readonly db: DataSource,
  ) {
    super();
  }

  /** After the last attempt, the job ends as ERROR with the reason, instead of sitting queued forever. */
  @OnWorkerEvent('failed')
  async onFailed(job: Job<{ jobId: string }> | undefined, err: Error): Promise<void> {
    if (!job) return;
    this.log.warn(`dispatch of job ${job.data.jobId} failed (attempt ${job.attemptsMade}/${job.opts.attempts ?? 1}): ${err.message}`);
    if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
    await this.db
      .getRepository(JobEntity)
      .update({ id: job.data.jobId, state: In(['queued']) }, { state: 'finished', verdict: 'ERROR', verdictReason: `could not dispatch: ${err.message.slice(0, 500)}`, finishedAt: new Date() })
      .catch((e) => this.log.error(`could not end job ${job.data.jobId}: ${e.message}`));
  }

  async process(job: Job<{ jobId: string }>, token?: string): Promise<string> {
    const tick = await this.scheduler.tick();
    const impossible = tick.impossible.find((i) => i.jobId === job.data.jobId);
    if (impossible) return 'impossible';
    // A tick another replica was making (lock held) decided nothing here: look again later, like a wait.
    if (!tick.ran || tick.waitingJobs.has(job.data.jobId)) {
      await job.moveToDelayed(Date.now() + WAIT_FOR_MACHINE_MS, token);
      throw new DelayedError();
    }
    return 'dispatched';
  }
}
