import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
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

  constructor(private readonly dispatcher: RunDispatcher) {
    super();
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
