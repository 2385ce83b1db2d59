import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { z } from 'zod';
import { ARCHES } from '@pfnlab/contracts';
import { ZodPipe } from '../common/zod-body.pipe';
import { BuildEntity } from '../db/entities';

const BuildListQuerySchema = z.object({
  status: z.enum(['queued', 'running', 'PASS', 'FAIL', 'ERROR']).optional(),
  arch: z.enum(ARCHES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

@ApiTags('builds')
@ApiBearerAuth()
@Controller('api/builds')
export class BuildsController {
  constructor(@InjectRepository(BuildEntity) private readonly builds: Repository<BuildEntity>) {}

  @Get()
  list(@Query(new ZodPipe(BuildListQuerySchema, 'query')) q: z.infer<typeof BuildListQuerySchema>) {
    const where: Record<string, string> = {};
    if (q.status) where.status = q.status;
    if (q.arch) where.arch = q.arch;
    return this.builds.find({ where, order: { createdAt: 'DESC' }, take: q.limit });
  }

  @Get(':id')
  async show(@Param('id', ParseUUIDPipe) id: string) {
    const b = await this.builds.findOne({ where: { id } });
    if (!b) throw new NotFoundException(`no build ${id}`);
    return b;
  }
}
