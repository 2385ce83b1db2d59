import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { DataSource, Not } from 'typeorm';
import { RUN_CANCEL_CHANNEL, runCancelKey } from '@pfnlab/contracts';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { LabEntity, MachineEntity, RunEntity } from '../db/entities';
import { RUN_QUEUES, RunQueues } from '../dispatch/run-queues';
import { REDIS } from '../queue/redis.provider';
import { RunRecorder } from './run-recorder';

/**
 * Cancels a job's unfinished runs. A run still waiting in its lab's queue
 * is taken out and ended here; a running one is flagged (a key the agent
 * checks, plus a message so it stops at once), and the agent recovers the
 * machine and reports CANCELED.
 */
@Injectable()
export class RunCanceller {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(RUN_QUEUES) private readonly queues: RunQueues,
    private readonly recorder: RunRecorder,
  ) {}

  async cancelJob(jobId: string): Promise<void> {
    const runs = await this.db.getRepository(RunEntity).find({ where: { jobId, state: Not('finished') } });
    for (const run of runs) {
      const lab = run.machineId ? await this.labOf(run.machineId) : null;
      const waiting = lab ? await this.queues.queue(lab).getJob(run.id) : null;
      if (waiting && ['waiting', 'prioritized', 'delayed'].includes(await waiting.getState())) {
        await waiting.remove();
        await this.recorder.abandon(run.id, 'canceled by user before it started', null, 'CANCELED');
        continue;
      }
      await this.redis.set(`${this.config.redisPrefix}:${runCancelKey(run.id)}`, '1', 'EX', 7 * 86400);
      await this.redis.publish(`${this.config.redisPrefix}:${RUN_CANCEL_CHANNEL}`, run.id);
    }
  }

  private async labOf(machineId: string): Promise<string | null> {
    const m = await this.db.getRepository(MachineEntity).findOne({ where: { id: machineId }, relations: { lab: true } });
    return (m?.lab as LabEntity | undefined)?.name ?? null;
  }
}
