import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ZodPipe } from '../common/zod-body.pipe';
import { MeasurementQuerySchema, type MeasurementQuery } from './measurement-schemas';
import { MeasurementsService } from './measurements.service';

/** Stored measurements (viewer): query by metric, machine, arch, build, job, run, payload, kind. */
@ApiTags('measurements')
@ApiBearerAuth()
@Controller('api/measurements')
export class MeasurementsController {
  constructor(private readonly measurements: MeasurementsService) {}

  /** Newest first; `nextCursor` fetches the next page. */
  @Get()
  list(@Query(new ZodPipe(MeasurementQuerySchema, 'query')) q: MeasurementQuery) {
    return this.measurements.list(q);
  }
}

/** A run's payload results (status, reason, counters, unavailable counters, per-metric summary), SKIPs included. */
@ApiTags('runs')
@ApiBearerAuth()
@Controller('api/runs')
export class RunResultsController {
  constructor(private readonly measurements: MeasurementsService) {}

  @Get(':id/results')
  results(@Param('id', ParseUUIDPipe) id: string) {
    return this.measurements.runResults(id);
  }
}
