import type { Queue } from 'bullmq';
import { bullPriority, DISPATCH_ATTEMPTS, type JobQueue } from './job-queue';

/** Bounds every queue call: an unreachable Redis must fail the request, not hang it. */
const REDIS_CALL_TIMEOUT_MS = 3000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`Redis did not answer ${what} within ${REDIS_CALL_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })), REDIS_CALL_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** JobQueue on a BullMQ producer whose connection fails fast while Redis is away. */
export class BullmqJobQueue implements JobQueue {
  constructor(private readonly queue: Queue) {
    // Errors surface on each call; an 'error' listener keeps them from crashing the process.
    this.queue.on('error', () => undefined);
  }

  async enqueue(jobId: string, priority: number, entry?: string): Promise<void> {
    // A dispatch that fails on something unexpected is retried with backoff before the job is given up (JobsProcessor).
    const opts = {
      jobId: entry ? `${jobId}-${entry}` : jobId,
      priority: bullPriority(priority),
      attempts: DISPATCH_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { count: 10_000 },
      removeOnFail: { count: 10_000 },
    };
    await withTimeout(this.queue.add('job', { jobId }, opts), 'enqueue');
  }

  async remove(jobId: string): Promise<boolean> {
    const job = await withTimeout(this.queue.getJob(jobId), 'getJob');
    if (!job) return false;
    const state = await withTimeout(job.getState(), 'getState');
    if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return false;
    await withTimeout(job.remove(), 'remove');
    return true;
  }

  async has(jobId: string): Promise<boolean> {
    return (await withTimeout(this.queue.getJob(jobId), 'getJob')) != null;
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }

  async counts(): Promise<Record<string, number>> {
    return withTimeout(this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'), 'counts');
  }
}
