import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type EntityManager, Repository } from 'typeorm';
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
  async append(runId: string, lines: ConsoleLine[], em?: EntityManager): Promise<boolean> {
    if (!lines.length) return false;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i].seq !== lines[i - 1].seq + 1) throw new Error(`console chunk for run ${runId} is not consecutive at seq ${lines[i].seq}`);
    }
    const raw = Buffer.from(lines.map((l) => l.text).join('\n'), 'utf8');
    const r = await (em ? em.getRepository(ConsoleChunkEntity) : this.chunks)
      .createQueryBuilder()
      .insert()
      .values({ runId, seqFrom: String(lines[0].seq), seqTo: String(lines[lines.length - 1].seq), lineCount: lines.length, rawBytes: raw.length, data: gzipSync(raw) })
      .orIgnore()
      .returning('seq_from')
      .execute();
    return (r.raw as unknown[]).length > 0;
  }

  /** Stored lines from `fromSeq` on, in order, with their sequence numbers. */
  async *lines(runId: string, fromSeq = 0): AsyncGenerator<ConsoleLine> {
    let after = -1;
    for (;;) {
      const rows = await this.chunks
        .createQueryBuilder('c')
        .where('c.run_id = :runId AND c.seq_to >= :from AND c.seq_from > :after', { runId, from: fromSeq, after })
        .orderBy('c.seq_from', 'ASC')
        .take(100)
        .getMany();
      for (const c of rows) {
        const first = Number(c.seqFrom);
        const texts = gunzipSync(c.data).toString('utf8').split('\n');
        for (let i = 0; i < texts.length; i++) if (first + i >= fromSeq) yield { seq: first + i, text: texts[i] };
        after = first;
      }
      if (rows.length < 100) return;
    }
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
