import { Logger } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_CANCEL_CHANNEL, runCancelKey, runQueueName, RunDispatchSchema, type Inventory } from '@pfnlab/contracts';
import { RunExecutor, type ExecutorDeps } from './run-executor';

/**
 * Takes runs for this lab's machines from the lab's BullMQ queue and runs
 * them, one executor per run. A run BullMQ offers again after an agent
 * crash (stalled) is not executed twice: the restart recovery owns it.
 */
export class RunWorker {
  private readonly log = new Logger('run-worker');
  private worker?: Worker;
  private sub?: Redis;
  readonly active = new Map<string, RunExecutor>();

  constructor(
    private readonly inventory: Inventory,
    private readonly deps: ExecutorDeps,
    private readonly connection: Record<string, unknown>,
    private readonly concurrency: number,
  ) {}

  async start(): Promise<void> {
    this.sub = this.deps.redis.duplicate();
    this.sub.on('error', () => undefined);
    await this.sub.subscribe(`${this.deps.prefix}:${RUN_CANCEL_CHANNEL}`);
    this.sub.on('message', (_ch: string, runId: string) => this.active.get(runId)?.cancel());
    this.worker = new Worker(runQueueName(this.inventory.lab), (job) => this.process(job), {
      connection: this.connection,
      prefix: this.deps.prefix,
      concurrency: this.concurrency,
      // A run is never retried by BullMQ: after a crash the agent ends it as ERROR itself.
      maxStalledCount: 0,
      lockDuration: 60_000,
    });
    this.worker.on('error', (e) => this.log.warn(`queue: ${e.message}`));
  }

  private async process(job: Job): Promise<string> {
    const parsed = RunDispatchSchema.safeParse(job.data);
    if (!parsed.success) {
      this.log.error(`dropped a malformed run dispatch ${job.id}: ${parsed.error.issues[0]?.message}`);
      return 'malformed';
    }
    const d = parsed.data;
    const machine = this.inventory.machines.find((m) => m.name === d.machine);
    if (!machine) {
      this.log.error(`run ${d.runId} names machine ${d.machine}, which is not in this agent's inventory`);
      return 'unknown-machine';
    }
    if (existsSync(join(this.deps.stateDir, 'runs', d.runId))) return 'owned-by-recovery';
    const executor = new RunExecutor(d, machine, this.deps);
    this.active.set(d.runId, executor);
    try {
      if (await this.deps.redis.exists(`${this.deps.prefix}:${runCancelKey(d.runId)}`)) executor.cancel();
      return await executor.execute();
    } finally {
      this.active.delete(d.runId);
    }
  }

  async stop(): Promise<void> {
    for (const e of this.active.values()) e.cancel('the agent was shut down during the run', 'ERROR');
    await this.worker?.close();
    this.sub?.disconnect();
  }
}
