import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import IORedis, { type Redis } from 'ioredis';
import { consoleLiveChannel } from '@pfnlab/contracts';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';

export interface LiveBatch {
  seq: number;
  lines: string[];
}

/**
 * One Redis subscription per server process, shared by every live console
 * view: viewers of a run subscribe to its channel while they watch, so a
 * thousand viewers cost one connection, not a thousand.
 */
@Injectable()
export class ConsoleLiveHub implements OnModuleDestroy {
  private sub?: Redis;
  private readonly listeners = new Map<string, Set<(b: LiveBatch) => void>>();

  constructor(@Inject(SERVER_CONFIG) private readonly config: ServerConfig) {}

  private channel(runId: string): string {
    return `${this.config.redisPrefix}:${consoleLiveChannel(runId)}`;
  }

  private subscriber(): Redis {
    if (!this.sub) {
      this.sub = new IORedis(this.config.redisUrl, { maxRetriesPerRequest: null });
      this.sub.on('error', () => undefined);
      this.sub.on('message', (channel: string, message: string) => {
        const set = this.listeners.get(channel);
        if (!set) return;
        const batch = JSON.parse(message) as LiveBatch;
        for (const l of set) l(batch);
      });
    }
    return this.sub;
  }

  async subscribe(runId: string, listener: (b: LiveBatch) => void): Promise<() => Promise<void>> {
    const ch = this.channel(runId);
    let set = this.listeners.get(ch);
    if (!set) {
      set = new Set();
      this.listeners.set(ch, set);
      await this.subscriber().subscribe(ch);
    }
    set.add(listener);
    return async () => {
      set!.delete(listener);
      if (!set!.size) {
        this.listeners.delete(ch);
        await this.sub?.unsubscribe(ch).catch(() => undefined);
      }
    };
  }

  onModuleDestroy(): void {
    this.sub?.disconnect();
  }
}
