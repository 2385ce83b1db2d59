import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import type { Response } from 'express';
import { Repository } from 'typeorm';
import { RunEntity, RunStepEntity } from '../db/entities';
import { ConsoleStore } from './console-store';

@ApiTags('runs')
@ApiBearerAuth()
@Controller('api/runs')
export class RunsController {
  constructor(
    @InjectRepository(RunEntity) private readonly runs: Repository<RunEntity>,
    @InjectRepository(RunStepEntity) private readonly steps: Repository<RunStepEntity>,
    private readonly consoles: ConsoleStore,
  ) {}

  @Get(':id')
  async show(@Param('id', ParseUUIDPipe) id: string) {
    const run = await this.runs.findOne({ where: { id } });
    if (!run) throw new NotFoundException(`no run ${id}`);
    const steps = await this.steps.find({ where: { runId: id }, order: { seq: 'ASC' } });
    const crashes: Array<{ id: string; title: string; type: string; count: number; corrupted: boolean }> = await this.runs.query(
      `SELECT c.id, c.title, c.type, o.count, o.corrupted FROM crash_occurrences o JOIN crashes c ON c.id = o.crash_id WHERE o.run_id = $1 ORDER BY o.at`,
      [id],
    );
    const machine: Array<{ name: string; arch: string }> = run.machineId ? await this.runs.query(`SELECT name, arch FROM machines WHERE id = $1`, [run.machineId]) : [];
    return { ...run, machine: machine[0]?.name ?? null, arch: machine[0]?.arch ?? null, steps, crashes };
  }

  /** The stored console as plain text, streamed; gaps are marked in the text. */
  @Get(':id/console')
  @ApiProduces('text/plain')
  async console(@Param('id', ParseUUIDPipe) id: string, @Res() res: Response) {
    if (!(await this.runs.exists({ where: { id } }))) throw new NotFoundException(`no run ${id}`);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="run-${id}.console.log"`);
    for await (const part of this.consoles.read(id)) {
      if (!res.write(part)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }
}
