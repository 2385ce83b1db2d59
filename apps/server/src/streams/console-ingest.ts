import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { CONSOLE_STREAM, ConsoleBatchSchema, consoleLiveChannel, type ConsoleBatch } from '@pfnlab/contracts';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { RunEntity } from '../db/entities';
import { REDIS } from '../queue/redis.provider';
import { ConsoleStore } from '../runs/console-store';
import { StreamConsumer } from './stream-consumer';

/** Key where the server tells the agent up to which sequence number a run's console is stored. */
export const consoleAckedKey = (prefix: string, runId: string) => `${prefix}:console-acked.v1:${runId}`;

/**
 * Takes console line batches from the agents' stream, stores them once
 * (a line already stored is dropped, so a reconnect or an agent restart
 * that re-sends never duplicates; a jump leaves a gap the log download
 * marks), publishes them for live views, and tells the agent what is safe
 * to delete from its spool.
 */
@Injectable()
export class ConsoleIngest implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(ConsoleIngest.name);
  private consumer?: StreamConsumer;

  constructor(
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: ConsoleStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new StreamConsumer(this.config.redisUrl, `${this.config.redisPrefix}:${CONSOLE_STREAM}`, 'server', (f) => this.ingest(f), { batch: 200, blockMs: 500 });
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
  }

  async ingest(fields: Record<string, string>): Promise<void> {
    let batch: ConsoleBatch;
    try {
      batch = ConsoleBatchSchema.parse(JSON.parse(fields.batch ?? ''));
    } catch (e) {
      this.log.warn(`dropped a malformed console batch: ${(e as Error).message.slice(0, 200)}`);
      return;
    }
    const stored = await this.db.transaction(async (em) => {
      const rows = await em.query(`SELECT console_lines FROM runs WHERE id = $1 FOR UPDATE`, [batch.runId]);
      if (!rows.length) return null;
      const next = Number(rows[0].console_lines);
      const skip = Math.max(0, next - batch.seq);
      const lines = batch.lines.slice(skip);
      if (!lines.length) return { seq: next, lines, next };
      const first = batch.seq + skip;
      await this.store.append(batch.runId, lines.map((text, i) => ({ seq: first + i, text })), em);
      await em.update(RunEntity, { id: batch.runId }, { consoleLines: String(first + lines.length) });
      return { seq: first, lines, next: first + lines.length };
    });
    if (!stored) return;
    if (stored.lines.length) {
      await this.redis.publish(`${this.config.redisPrefix}:${consoleLiveChannel(batch.runId)}`, JSON.stringify({ seq: stored.seq, lines: stored.lines }));
    }
    await this.redis.set(consoleAckedKey(this.config.redisPrefix, batch.runId), String(stored.next), 'EX', 7 * 86400);
  }
}
