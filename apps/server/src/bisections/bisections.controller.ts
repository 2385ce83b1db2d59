import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, type Principal, RequireRole } from '../auth/principal';
import { PageQuerySchema } from '../common/pagination';
import { ZodPipe } from '../common/zod-body.pipe';
import { BISECTION_STATES } from '../db/entities';
import { BisectionRequestSchema, type BisectionRequest } from './bisection-request';
import { BisectionsService } from './bisections.service';

const BisectionListQuerySchema = PageQuerySchema.extend({ state: z.enum(BISECTION_STATES).optional() });

/** Bisections: start (operator), read (viewer), cancel (operator). The service holds the logic. */
@ApiTags('bisections')
@ApiBearerAuth()
@Controller('api/bisections')
export class BisectionsController {
  constructor(private readonly bisections: BisectionsService) {}

  /** `{spec, good, bad, criterion, options?}`: the range is resolved and the first step submitted before this answers. */
  @Post()
  @RequireRole('operator')
  create(@Body(new ZodPipe(BisectionRequestSchema)) body: BisectionRequest, @CurrentPrincipal() p: Principal) {
    return this.bisections.create(body, p);
  }

  @Get()
  list(@Query(new ZodPipe(BisectionListQuerySchema, 'query')) q: z.infer<typeof BisectionListQuerySchema>) {
    return this.bisections.list(q);
  }

  @Get(':id')
  show(@Param('id', ParseUUIDPipe) id: string) {
    return this.bisections.view(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireRole('operator')
  cancel(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() p: Principal) {
    return this.bisections.cancel(id, p);
  }
}
