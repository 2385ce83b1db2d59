import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { ZodPipe } from '../common/zod-body.pipe';
import { ComparisonListQuerySchema, ComparisonRequestSchema, type ComparisonListQuery, type ComparisonRequest } from './measurement-schemas';
import { ComparisonsService } from './comparisons.service';

/**
 * Baseline-versus-candidate comparisons. POST needs only `viewer`: it reads
 * measurements anyone may read and writes only a derived record of the
 * result (it starts no run and changes nothing else).
 */
@ApiTags('comparisons')
@ApiBearerAuth()
@Controller('api/comparisons')
export class ComparisonsController {
  constructor(private readonly comparisons: ComparisonsService) {}

  /** `{baseline, candidate}`: each `{job}`, `{build}` or `{runs: [...]}`; options `metrics`, `minEffect`, `alpha`, `higherIsBetter`. */
  @Post()
  @HttpCode(201)
  create(@Body(new ZodPipe(ComparisonRequestSchema)) body: ComparisonRequest, @CurrentPrincipal() p: Principal) {
    return this.comparisons.create(body, p?.userId ?? null);
  }

  /** Newest first; `?job=ID` lists the comparisons an A/B job made (one per round). */
  @Get()
  list(@Query(new ZodPipe(ComparisonListQuerySchema, 'query')) q: ComparisonListQuery) {
    return this.comparisons.list(q);
  }

  @Get(':id')
  show(@Param('id', ParseUUIDPipe) id: string) {
    return this.comparisons.get(id);
  }
}
