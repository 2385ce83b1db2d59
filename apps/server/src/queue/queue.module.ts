import { BullModule } from '@nestjs/bullmq';
import { Global, Inject, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { redisAddress } from '@pfnlab/contracts';
import type { ServerConfig } from '../config/server-config';
import { BullmqJobQueue } from './bullmq-job-queue';
import { JOB_QUEUE, JOBS_QUEUE_NAME } from './job-queue';
import { MACHINE_COMMANDS, MachineCommandQueue } from './machine-command-queue';
import { createRedis, REDIS } from './redis.provider';

/** ioredis options for BullMQ producers: fail fast while Redis is away, never buffer commands for later. */
export function bullConnection(url: string) {
  return { ...redisAddress(url), enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 3000 };
}

/** ioredis options for BullMQ workers: blocking reads that wait for Redis to come back. */
export function bullWorkerConnection(url: string) {
  return { ...redisAddress(url), maxRetriesPerRequest: null };
}


@Global()
@Module({})
export class QueueModule implements OnModuleDestroy {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(MACHINE_COMMANDS) private readonly commands: MachineCommandQueue,
    @Inject(JOB_QUEUE) private readonly jobs: BullmqJobQueue,
  ) {}

  static forConfig(config: ServerConfig): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        // The registered queue serves the dispatcher's worker (blocking reads that wait for Redis);
        // submissions go through a producer of their own that fails fast (JOB_QUEUE below).
        BullModule.forRoot({ connection: bullWorkerConnection(config.redisUrl), prefix: config.redisPrefix }),
        BullModule.registerQueue({ name: JOBS_QUEUE_NAME }),
      ],
      providers: [
        { provide: REDIS, useFactory: () => createRedis(config.redisUrl) },
        { provide: JOB_QUEUE, useFactory: () => new BullmqJobQueue(new Queue(JOBS_QUEUE_NAME, { connection: bullConnection(config.redisUrl), prefix: config.redisPrefix })) },
        { provide: MACHINE_COMMANDS, useFactory: (redis: Redis) => new MachineCommandQueue(redis, config.redisPrefix), inject: [REDIS] },
      ],
      exports: [REDIS, JOB_QUEUE, MACHINE_COMMANDS],
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.jobs.close();
    await this.commands.close();
    this.redis.disconnect();
  }
}
