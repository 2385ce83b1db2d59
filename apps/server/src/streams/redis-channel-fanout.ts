import IORedis, { type Redis } from 'ioredis';

/**
 * One Redis subscriber connection per server process, shared by every live
 * view of one kind (consoles, builds): a channel is subscribed while at
 * least one viewer listens to it, so a thousand viewers cost one
 * connection, not a thousand. Messages are JSON; one that does not parse is
 * dropped rather than breaking the other viewers.
 */
export class RedisChannelFanout<T> {
  private sub?: Redis;
  private readonly listeners = new Map<string, Set<(message: T) => void>>();

  constructor(private readonly redisUrl: string) {}

  private subscriber(): Redis {
    if (!this.sub) {
      this.sub = new IORedis(this.redisUrl, { maxRetriesPerRequest: null });
      this.sub.on('error', () => undefined);
      this.sub.on('message', (channel: string, text: string) => {
        const set = this.listeners.get(channel);
        if (!set) return;
        let message: T;
        try {
          message = JSON.parse(text) as T;
        } catch {
          return;
        }
        for (const l of set) l(message);
      });
    }
    return this.sub;
  }

  /** Listens to a channel; the returned function stops listening (and unsubscribes after the last viewer). */
  async subscribe(channel: string, listener: (message: T) => void): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.subscriber().subscribe(channel);
    }
    set.add(listener);
    return async () => {
      set!.delete(listener);
      if (!set!.size && this.listeners.get(channel) === set) {
        this.listeners.delete(channel);
        await this.sub?.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  close(): void {
    this.sub?.disconnect();
  }
}
