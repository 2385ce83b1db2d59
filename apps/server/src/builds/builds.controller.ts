import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { ARCHES } from '@pfnlab/contracts';
import { PageQuerySchema } from '../common/pagination';
import { ZodPipe } from '../common/zod-body.pipe';
import { BuildsService } from './builds.service';

const BuildListQuerySchema = PageQuerySchema.extend({
  status: z.enum(['queued', 'running', 'PASS', 'FAIL', 'ERROR']).optional(),
  arch: z.enum(ARCHES).optional(),
  job: z.string().uuid('must be a job id (UUID)').optional(),
  run: z.string().uuid('must be a run id (UUID)').optional(),
}).strict();

const BuildLogQuerySchema = z.strictObject({
  tail: z.coerce.number().int().min(1).max(1_000_000).optional(),
});

/** Kernel builds agents made for runs: list, result, log, artifacts. Live progress: BuildLiveController. */
@ApiTags('builds')
@ApiBearerAuth()
@Controller('api/builds')
export class BuildsController {
  constructor(private readonly builds: BuildsService) {}

  /** Newest first; `nextCursor` fetches the next page. */
  @Get()
  list(@Query(new ZodPipe(BuildListQuerySchema, 'query')) q: z.infer<typeof BuildListQuerySchema>) {
    return this.builds.list({ status: q.status, arch: q.arch, jobId: q.job, runId: q.run, limit: q.limit, cursor: q.cursor });
  }

  /** Everything about a build but its log: progress while it runs, then errors, dropped options, size delta, artifacts. */
  @Get(':id')
  show(@Param('id', ParseUUIDPipe) id: string) {
    return this.builds.get(id);
  }

  /** The build log as plain text (`?tail=N`: its last N lines). 409 while the build runs. */
  @Get(':id/log')
  @ApiProduces('text/plain')
  async log(
    @Param('id', ParseUUIDPipe) id: string,
    @Query(new ZodPipe(BuildLogQuerySchema, 'query')) q: z.infer<typeof BuildLogQuerySchema>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const text = await this.builds.log(id, q.tail);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    return text;
  }

  /** Where the build's files are stored, and each file's size and sha256. */
  @Get(':id/artifacts')
  artifacts(@Param('id', ParseUUIDPipe) id: string) {
    return this.builds.artifacts(id);
  }
}
