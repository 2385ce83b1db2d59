import { Queue } from 'bullmq';
import { runQueueName, type RunDispatch } from '@pfnlab/contracts';

/** Producers of the per-lab run queues the agents consume (one BullMQ queue per lab). */
export class RunQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly connection: Record<string, unknown>, private readonly prefix: string) {}

  /** Idempotent by run id: a retried dispatch does not queue the run twice. */
  async dispatch(lab: string, run: RunDispatch): Promise<void> {
    await this.queue(lab).add('run', run, { jobId: run.runId, removeOnComplete: 1000, removeOnFail: 1000 });
  }

  queue(lab: string): Queue {
    let q = this.queues.get(lab);
    if (!q) {
      q = new Queue(runQueueName(lab), { connection: this.connection, prefix: this.prefix });
      q.on('error', () => undefined);
      this.queues.set(lab, q);
    }
    return q;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
  }

  /** Nest calls this at shutdown: the queues' Redis connections must not outlive the app. */
  async onModuleDestroy(): Promise<void> {
    await this.close();
  }
}

export const RUN_QUEUES = Symbol('RUN_QUEUES');
