import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError, type Job } from 'bullmq';
import { DataSource, In } from 'typeorm';
import { JobEntity } from '../db/entities';
import { JOBS_QUEUE_NAME } from '../queue/job-queue';
import { RunDispatcher } from './run-dispatcher';

/** How long a job waits for a machine before the dispatcher looks again. */
export const WAIT_FOR_MACHINE_MS = 2000;

/**
 * Consumes the jobs queue. Every server replica runs one; BullMQ hands each
 * job to one of them at a time, and the dispatcher's leases make a race
 * harmless anyway.
 */
@Processor(JOBS_QUEUE_NAME, { concurrency: 4, maxStalledCount: 10 })
export class JobsProcessor extends WorkerHost {
  private readonly log = new Logger(JobsProcessor.name);

  constructor(
    private readonly dispatcher: RunDispatcher,
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
    const outcome = await this.dispatcher.dispatch(job.data.jobId);
    if (outcome.state === 'impossible') this.log.warn(`job ${job.data.jobId}: ${outcome.reason}`);
    if (outcome.state === 'waiting') {
      await job.moveToDelayed(Date.now() + WAIT_FOR_MACHINE_MS, token);
      throw new DelayedError();
    }
    return outcome.state;
  }
}
