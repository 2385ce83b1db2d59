import { Logger } from '@nestjs/common';
import IORedis, { type Redis } from 'ioredis';
import { hostname } from 'node:os';

export type StreamHandler = (fields: Record<string, string>, id: string) => Promise<void>;

/**
 * A Redis Streams consumer-group loop: every entry is handled by exactly one
 * consumer of the group (one server replica), acknowledged only after its
 * handler succeeded, and reclaimed from a consumer that died holding it.
 * A handler that throws leaves the entry pending; it is retried after
 * `reclaimIdleMs` and dropped (logged) after `maxDeliveries`.
 */
export class StreamConsumer {
  private readonly log: Logger;
  private readonly redis: Redis;
  private running = false;
  private loop?: Promise<void>;
  readonly consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    redisUrl: string,
    private readonly stream: string,
    private readonly group: string,
    private readonly handle: StreamHandler,
    private readonly opts: {
      batch?: number;
      blockMs?: number;
      reclaimIdleMs?: number;
      maxDeliveries?: number;
      /**
       * Entries with the same key are handled in stream order, entries with
       * different keys concurrently (e.g. the runs of many machines: their
       * handlers wait on the database, not on each other). Without it, one
       * entry at a time.
       */
      keyOf?: (fields: Record<string, string>) => string;
    } = {},
  ) {
    this.log = new Logger(`stream:${stream}`);
    // A blocking reader needs its own connection, and must wait for Redis rather than fail.
    this.redis = new IORedis(redisUrl, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
    this.redis.on('error', () => undefined);
  }

  async start(): Promise<void> {
    await this.redis.xgroup('CREATE', this.stream, this.group, '0', 'MKSTREAM').catch((e: Error) => {
      if (!/BUSYGROUP/.test(e.message)) throw e;
    });
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let lastReclaim = 0;
    while (this.running) {
      try {
        if (Date.now() - lastReclaim > (this.opts.reclaimIdleMs ?? 30_000) / 2) {
          lastReclaim = Date.now();
          await this.reclaim();
        }
        const res = (await this.redis.xreadgroup(
          'GROUP', this.group, this.consumer,
          'COUNT', this.opts.batch ?? 100,
          'BLOCK', this.opts.blockMs ?? 1000,
          'STREAMS', this.stream, '>',
        )) as Array<[string, Array<[string, string[]]>]> | null;
        for (const [, entries] of res ?? []) await this.process(entries);
      } catch (e) {
        if (!this.running) return;
        this.log.warn(`read failed (${(e as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async process(entries: Array<[string, string[]]>): Promise<void> {
    const parsed = entries.map(([id, flat]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
      return { id, fields };
    });
    const keyOf = this.opts.keyOf;
    if (!keyOf) {
      for (const e of parsed) await this.handleOne(e.id, e.fields);
      return;
    }
    const byKey = new Map<string, typeof parsed>();
    for (const e of parsed) {
      let key = '';
      try {
        key = keyOf(e.fields);
      } catch {
        // A malformed entry goes to the handler, which reports it.
      }
      const list = byKey.get(key);
      if (list) list.push(e);
      else byKey.set(key, [e]);
    }
    await Promise.all([...byKey.values()].map(async (list) => {
      for (const e of list) await this.handleOne(e.id, e.fields);
    }));
  }

  private async handleOne(id: string, fields: Record<string, string>): Promise<void> {
    try {
      await this.handle(fields, id);
      await this.redis.xack(this.stream, this.group, id);
    } catch (e) {
      this.log.warn(`entry ${id} failed: ${(e as Error).message}; it stays pending for a retry`);
    }
  }

  /** Takes over entries another consumer left pending too long (it crashed); drops poison entries. */
  private async reclaim(): Promise<void> {
    const idle = this.opts.reclaimIdleMs ?? 30_000;
    const [, entries] = (await this.redis.xautoclaim(this.stream, this.group, this.consumer, idle, '0-0', 'COUNT', 100)) as [string, Array<[string, string[]]>];
    if (!entries?.length) return;
    const pending = (await this.redis.xpending(this.stream, this.group, '-', '+', 100, this.consumer)) as Array<[string, string, number, number]>;
    const deliveries = new Map(pending.map(([id, , , n]) => [id, n]));
    const keep: Array<[string, string[]]> = [];
    for (const e of entries) {
      if (!e) continue;
      if ((deliveries.get(e[0]) ?? 0) > (this.opts.maxDeliveries ?? 10)) {
        this.log.error(`dropping entry ${e[0]} after ${deliveries.get(e[0])} failed deliveries`);
        await this.redis.xack(this.stream, this.group, e[0]);
      } else keep.push(e);
    }
    await this.process(keep);
  }
}
