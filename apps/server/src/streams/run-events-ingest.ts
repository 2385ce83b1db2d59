import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RUN_EVENTS_STREAM, RunEventSchema } from '@pfnlab/contracts';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { RunRecorder } from '../runs/run-recorder';
import { StreamConsumer } from './stream-consumer';

/** Applies the agents' run events (steps, verdicts) from their Redis stream. */
@Injectable()
export class RunEventsIngest implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(RunEventsIngest.name);
  private consumer?: StreamConsumer;

  constructor(
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    private readonly recorder: RunRecorder,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new StreamConsumer(this.config.redisUrl, `${this.config.redisPrefix}:${RUN_EVENTS_STREAM}`, 'server', async (f) => {
      const parsed = RunEventSchema.safeParse(JSON.parse(f.event ?? 'null'));
      if (!parsed.success) {
        this.log.warn(`dropped a malformed run event: ${parsed.error.issues[0]?.message}`);
        return;
      }
      await this.recorder.apply(parsed.data);
    }, {
      blockMs: 500,
      // An end that overtook its verdict is retried soon (RunRecorder VERDICT_GRACE_MS); events are idempotent.
      reclaimIdleMs: 4000,
      // One run's events in order; different runs' at once (each is a few database round trips).
      keyOf: (f) => String((JSON.parse(f.event ?? 'null') as { runId?: unknown } | null)?.runId ?? ''),
    });
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
  }
}
