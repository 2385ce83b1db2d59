import { BadRequestException, Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { ARCHES, JOB_STATES, jobSpecJsonSchema, parseJobSpecText, validateJobSpec } from '@pfnlab/contracts';
import { CurrentPrincipal, type Principal, RequireRole } from '../auth/principal';
import { PageQuerySchema } from '../common/pagination';
import { ZodPipe } from '../common/zod-body.pipe';
import { JobsService } from './jobs.service';

const JobListQuerySchema = PageQuerySchema.extend({
  state: z.enum(JOB_STATES).optional(),
  arch: z.enum(ARCHES).optional(),
  submittedBy: z.string().uuid().optional(),
});

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  /**
   * Submit a job spec as YAML (`Content-Type: application/yaml`) or JSON.
   * A 400 lists every problem with its path and, from the document text,
   * its line and column.
   */
  @Post()
  @RequireRole('operator')
  @ApiConsumes('application/json', 'application/yaml')
  @ApiBody({ schema: jobSpecJsonSchema() as object })
  async submit(@Req() req: Request & { rawBody?: Buffer }, @Body() body: unknown, @CurrentPrincipal() p: Principal) {
    const text = req.rawBody?.toString('utf8') ?? (typeof body === 'string' ? body : undefined);
    const result = text !== undefined && text.trim() !== '' ? parseJobSpecText(text) : validateJobSpec(body);
    if (!result.ok) {
      const problems = result.problems.map(({ path, message, line, column }) => ({ path, message, line, column }));
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `invalid job spec: ${problems.length} problem(s)`, problems });
    }
    const job = await this.jobs.submit(result.value, p);
    return job;
  }

  @Get()
  list(@Query(new ZodPipe(JobListQuerySchema, 'query')) q: z.infer<typeof JobListQuerySchema>) {
    return this.jobs.list(q);
  }

  @Get(':id')
  async show(@Param('id', ParseUUIDPipe) id: string) {
    const [job, runs] = await Promise.all([this.jobs.get(id), this.jobs.runsOf(id)]);
    return { ...job, runs };
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireRole('operator')
  cancel(@Param('id', ParseUUIDPipe) id: string) {
    return this.jobs.cancel(id);
  }
}
