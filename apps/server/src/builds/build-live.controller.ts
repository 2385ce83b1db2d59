import { Controller, Get, Logger, NotFoundException, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BUILD_FINISHED_STATUSES, type StoredBuildProgress } from '../db/entities/build.entity';
import { BuildLiveHub, type BuildLiveUpdate } from './build-live-hub';
import { BuildsService } from './builds.service';

/** How often an open view re-reads the build, in case a published update was lost (Redis pub/sub does not keep messages). */
const SAFETY_READ_MS = 5000;
/** A comment line now and then keeps proxies from closing a quiet stream (a long compile without news). */
const KEEPALIVE_MS = 15000;

/**
 * A build's progress, live, as Server-Sent Events:
 * - `state`: the build as GET /api/builds/:id shows it, once, on connect;
 * - `progress`: `{phase, percent, message, updatedAt}` each time the agent reports;
 * - `end`: the finished build (status, title, errors...), then the stream closes.
 * A build that is already finished gets `state` and `end` at once.
 */
@ApiTags('builds')
@ApiBearerAuth()
@Controller('api/builds')
export class BuildLiveController {
  private readonly log = new Logger(BuildLiveController.name);

  constructor(
    private readonly builds: BuildsService,
    private readonly hub: BuildLiveHub,
  ) {}

  @Get(':id/events')
  @ApiProduces('text/event-stream')
  async events(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request, @Res() res: Response) {
    if (!(await this.builds.exists(id))) throw new NotFoundException(`no build ${id}`);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    let closed = false;
    let ending = false;
    let lastProgressAt = 0;
    let unsubscribe: (() => Promise<void>) | null = null;
    const timers: NodeJS.Timeout[] = [];
    const send = (event: string, data: unknown) => {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const sendProgress = (p: StoredBuildProgress | null) => {
      if (!p || Date.parse(p.updatedAt) <= lastProgressAt) return;
      lastProgressAt = Date.parse(p.updatedAt);
      send('progress', p);
    };
    const close = async () => {
      if (closed) return;
      closed = true;
      for (const t of timers) clearInterval(t);
      await unsubscribe?.();
      res.end();
    };
    const end = async () => {
      if (ending) return;
      ending = true;
      try {
        send('end', await this.builds.get(id));
      } finally {
        await close();
      }
    };
    const onUpdate = (u: BuildLiveUpdate) => {
      if (u.kind === 'progress') sendProgress(u.progress);
      else void end().catch(() => undefined);
    };
    req.on('close', () => void close());
    try {
      // Subscribe before reading the state, holding updates back, so nothing falls between the two.
      let held: BuildLiveUpdate[] | null = [];
      unsubscribe = await this.hub.subscribe(id, (u) => (held ? held.push(u) : onUpdate(u)));
      if (closed) return void (await unsubscribe());
      const state = await this.builds.get(id);
      send('state', state);
      lastProgressAt = state.progress ? Date.parse(state.progress.updatedAt) : 0;
      if (BUILD_FINISHED_STATUSES.includes(state.status)) {
        ending = true;
        send('end', state);
        return void (await close());
      }
      for (const u of held) onUpdate(u);
      held = null;
    } catch (e) {
      // Headers are sent: say it in the stream rather than through the exception filter.
      this.log.warn(`live view of build ${id}: ${(e as Error).message}`);
      send('error', { message: `the server could not read build ${id}; reconnect to retry` });
      return void (await close());
    }
    if (closed) return;
    timers.push(
      setInterval(() => {
        void this.builds.stateOf(id).then((b) => {
          if (!b) return close();
          if (BUILD_FINISHED_STATUSES.includes(b.status)) return end();
          sendProgress(b.progress);
        }).catch(() => undefined);
      }, SAFETY_READ_MS),
      setInterval(() => {
        if (!closed) res.write(': keepalive\n\n');
      }, KEEPALIVE_MS),
    );
  }
}
