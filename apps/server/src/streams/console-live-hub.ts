import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { consoleLiveChannel } from '@pfnlab/contracts';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { RedisChannelFanout } from './redis-channel-fanout';

export interface LiveBatch {
  seq: number;
  lines: string[];
}

/** Live console lines: viewers of a run listen to its channel while they watch (one connection per process). */
@Injectable()
export class ConsoleLiveHub implements OnModuleDestroy {
  private readonly fanout: RedisChannelFanout<LiveBatch>;

  constructor(@Inject(SERVER_CONFIG) private readonly config: ServerConfig) {
    this.fanout = new RedisChannelFanout(config.redisUrl);
  }

  subscribe(runId: string, listener: (b: LiveBatch) => void): Promise<() => Promise<void>> {
    return this.fanout.subscribe(`${this.config.redisPrefix}:${consoleLiveChannel(runId)}`, listener);
  }

  onModuleDestroy(): void {
    this.fanout.close();
  }
}
