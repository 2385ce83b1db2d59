/**
 * The durable queue of submitted jobs, as the rest of the server sees it.
 * PostgreSQL is the source of truth; the queue is derived from it and
 * repaired by QueueReconciler, so the two never disagree for long.
 */
export interface JobQueue {
  /**
   * Idempotent: enqueuing the same job id twice leaves one entry. `entry`
   * names a later dispatch of the same job (an A/B job's confirmation
   * round), which the finished first entry would otherwise swallow.
   */
  enqueue(jobId: string, priority: number, entry?: string): Promise<void>;
  /** Removes a waiting entry; false when there was none (already taken or never queued). */
  remove(jobId: string): Promise<boolean>;
  has(jobId: string): Promise<boolean>;
  counts(): Promise<Record<string, number>>;
}

export const JOB_QUEUE = Symbol('JOB_QUEUE');
/** How often the dispatcher tries a job that fails unexpectedly before it ends the job as ERROR. */
export const DISPATCH_ATTEMPTS = 5;
export const JOBS_QUEUE_NAME = 'jobs';

/** BullMQ priorities run 1 (first) upward; ours run 0..100 with 100 most urgent. */
export function bullPriority(priority: number): number {
  return 101 - Math.max(0, Math.min(100, Math.round(priority)));
}
