import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { Repository } from 'typeorm';
import { z } from 'zod';
import { ZodPipe } from '../common/zod-body.pipe';
import { RunEntity } from '../db/entities';
import { ConsoleLiveHub, type LiveBatch } from '../streams/console-live-hub';
import { ConsoleStore } from './console-store';

const LiveQuerySchema = z.object({ from: z.coerce.number().int().min(0).default(0) });

/**
 * A run's console, live, as Server-Sent Events: first what is stored from
 * `from` on, then new lines as they are stored, each batch with its first
 * sequence number (a client that reconnects asks for `from` = last + 1 and
 * never sees a line twice). Ends with an `end` event when the run is over.
 */
@ApiTags('runs')
@ApiBearerAuth()
@Controller('api/runs')
export class ConsoleLiveController {
  constructor(
    @InjectRepository(RunEntity) private readonly runs: Repository<RunEntity>,
    private readonly store: ConsoleStore,
    private readonly hub: ConsoleLiveHub,
  ) {}

  @Get(':id/console/live')
  @ApiProduces('text/event-stream')
  async live(@Param('id', ParseUUIDPipe) id: string, @Query(new ZodPipe(LiveQuerySchema, 'query')) q: z.infer<typeof LiveQuerySchema>, @Req() req: Request, @Res() res: Response) {
    if (!(await this.runs.exists({ where: { id } }))) throw new NotFoundException(`no run ${id}`);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    let next = q.from;
    let closed = false;
    const send = (event: string, data: unknown) => {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const emit = (b: LiveBatch) => {
      const skip = Math.max(0, next - b.seq);
      const lines = b.lines.slice(skip);
      if (!lines.length) return;
      send('lines', { seq: b.seq + skip, lines });
      next = b.seq + skip + lines.length;
    };
    // Subscribe before replaying, holding live batches back, so nothing falls between the two.
    let held: LiveBatch[] | null = [];
    const unsubscribe = await this.hub.subscribe(id, (b) => (held ? held.push(b) : emit(b)));
    const finish = async () => {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      await unsubscribe();
      res.end();
    };
    req.on('close', () => void finish());
    let batch: string[] = [];
    let batchSeq = next;
    for await (const line of this.store.lines(id, next)) {
      if (line.seq !== batchSeq + batch.length || batch.length >= 500) {
        if (batch.length) emit({ seq: batchSeq, lines: batch });
        batch = [];
        batchSeq = line.seq;
      }
      batch.push(line.text);
    }
    if (batch.length) emit({ seq: batchSeq, lines: batch });
    for (const b of held) emit(b);
    held = null;
    // The end of a run is rare and not latency-critical: a slow poll is enough.
    const poll = setInterval(async () => {
      const run = await this.runs.findOne({ where: { id }, select: { state: true, verdict: true, consoleLines: true } });
      if (run?.state === 'finished' && Number(run.consoleLines) <= next) {
        send('end', { verdict: run.verdict, lines: next });
        await finish();
      }
    }, 1000);
  }
}
