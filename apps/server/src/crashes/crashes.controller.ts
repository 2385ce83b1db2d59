import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { z } from 'zod';
import { ZodPipe } from '../common/zod-body.pipe';
import { CrashEntity, CrashOccurrenceEntity, MachineEntity } from '../db/entities';

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

  /** One crash with its occurrences and the distinct machines and kernel versions it was seen on. */
  @Get(':id')
  async show(@Param('id', ParseUUIDPipe) id: string) {
    const crash = await this.crashes.findOne({ where: { id } });
    if (!crash) throw new NotFoundException(`no crash ${id}`);
    const occurrences = await this.occurrences
      .createQueryBuilder('o')
      .leftJoin(MachineEntity, 'm', 'm.id = o.machine_id')
      .select(['o.id AS id', 'o.run_id AS "runId"', 'm.name AS machine', 'o.arch AS arch', 'o.kernel_version AS "kernelVersion"', 'o.corrupted AS corrupted', 'o.count AS count', 'o.report AS report', 'o.at AS at'])
      .where('o.crash_id = :id', { id })
      .orderBy('o.at', 'DESC')
      .limit(100)
      .getRawMany();
    const distinct = (key: string) => [...new Set(occurrences.map((o) => o[key]).filter((v) => v != null))].sort();
    return { ...crash, machines: distinct('machine'), kernelVersions: distinct('kernelVersion'), occurrences };
  }
}
