import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { z } from 'zod';
import { ZodPipe } from '../common/zod-body.pipe';
import { CrashEntity, CrashOccurrenceEntity } from '../db/entities';

const CrashListQuerySchema = z.object({
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

@ApiTags('crashes')
@ApiBearerAuth()
@Controller('api/crashes')
export class CrashesController {
  constructor(
    @InjectRepository(CrashEntity) private readonly crashes: Repository<CrashEntity>,
    @InjectRepository(CrashOccurrenceEntity) private readonly occurrences: Repository<CrashOccurrenceEntity>,
  ) {}

  @Get()
  list(@Query(new ZodPipe(CrashListQuerySchema, 'query')) q: z.infer<typeof CrashListQuerySchema>) {
    const qb = this.crashes.createQueryBuilder('c').orderBy('c.last_seen', 'DESC').take(q.limit);
    if (q.q) qb.where('c.title ILIKE :q', { q: `%${q.q.replace(/[%_\\]/g, '\\$&')}%` });
    return qb.getMany();
  }

  @Get(':id')
  async show(@Param('id', ParseUUIDPipe) id: string) {
    const crash = await this.crashes.findOne({ where: { id } });
    if (!crash) throw new NotFoundException(`no crash ${id}`);
    const occurrences = await this.occurrences.find({ where: { crashId: id }, order: { at: 'DESC' }, take: 100 });
    return { ...crash, occurrences };
  }
}
