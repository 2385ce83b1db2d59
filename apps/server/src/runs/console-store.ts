import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Repository } from 'typeorm';
import { ConsoleChunkEntity } from '../db/entities';

export interface ConsoleLine {
  seq: number;
  text: string;
}

/**
 * A run's console in PostgreSQL: consecutive lines gzip'd per chunk, keyed
 * by (run, first sequence number) so a re-sent chunk is ignored and a
 * missing range shows as a gap when the log is read back.
 */
@Injectable()
export class ConsoleStore {
  constructor(@InjectRepository(ConsoleChunkEntity) private readonly chunks: Repository<ConsoleChunkEntity>) {}

  /** Stores lines (sorted, consecutive sequence numbers); returns false if that chunk was stored already. */
  async append(runId: string, lines: ConsoleLine[]): Promise<boolean> {
    if (!lines.length) return false;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i].seq !== lines[i - 1].seq + 1) throw new Error(`console chunk for run ${runId} is not consecutive at seq ${lines[i].seq}`);
    }
    const raw = Buffer.from(lines.map((l) => l.text).join('\n'), 'utf8');
    const r = await this.chunks
      .createQueryBuilder()
      .insert()
      .values({ runId, seqFrom: String(lines[0].seq), seqTo: String(lines[lines.length - 1].seq), lineCount: lines.length, rawBytes: raw.length, data: gzipSync(raw) })
      .orIgnore()
      .returning('seq_from')
      .execute();
    return (r.raw as unknown[]).length > 0;
  }

  /** The whole console as text, in order; a gap in the sequence becomes a marker line. */
  async *read(runId: string): AsyncGenerator<string> {
    let expected = 0;
    let offset = 0;
    const page = 200;
    for (;;) {
      const rows = await this.chunks.find({ where: { runId }, order: { seqFrom: 'ASC' }, skip: offset, take: page });
      for (const c of rows) {
        const from = Number(c.seqFrom);
        if (from > expected) yield `[pfnlab: ${from - expected} console line(s) missing: seq ${expected}..${from - 1}]\n`;
        yield gunzipSync(c.data).toString('utf8') + '\n';
        expected = Math.max(expected, Number(c.seqTo) + 1);
      }
      if (rows.length < page) return;
      offset += page;
    }
  }
}
