import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InventorySchema, jobSpecJsonSchema } from '@pfnlab/contracts';
import { z } from 'zod';
import { Public } from '../auth/principal';

/** Published JSON Schemas, so editors can validate and complete job and inventory files. */
@ApiTags('schemas')
@Controller('api/schemas')
export class SchemasController {
  @Public()
  @Get('job-spec.json')
  jobSpec() {
    return jobSpecJsonSchema();
  }

  @Public()
  @Get('inventory.json')
  inventory() {
    return z.toJSONSchema(InventorySchema, { io: 'input', unrepresentable: 'any' });
  }
}
