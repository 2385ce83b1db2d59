import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { keysetPage, type Page } from '../common/pagination';
import { BuildEntity, type BuildStatus } from '../db/entities/build.entity';
import { toBuildArtifacts, toBuildDetail, toBuildSummary, type BuildArtifactsView, type BuildDetailView, type BuildSummaryView } from './build-view';
import { tailLines } from './log-tail';

export interface BuildFilter {
  status?: BuildStatus;
  arch?: string;
  jobId?: string;
  runId?: string;
  limit: number;
  cursor?: string;
}

/** Reads builds for the API. Builds are written only by BuildRecorder, from agents' reports. */
@Injectable()
export class BuildsService {
  constructor(@InjectRepository(BuildEntity) private readonly builds: Repository<BuildEntity>) {}

  /** Newest first, keyset-paginated like jobs. */
  async list(f: BuildFilter): Promise<Page<BuildSummaryView>> {
    const qb = this.builds.createQueryBuilder('b');
    if (f.status) qb.andWhere('b.status = :status', { status: f.status });
    if (f.arch) qb.andWhere('b.arch = :arch', { arch: f.arch });
    if (f.jobId) qb.andWhere('b.job_id = :jobId', { jobId: f.jobId });
    if (f.runId) qb.andWhere('b.run_id = :runId', { runId: f.runId });
    return keysetPage(qb, 'b', f, toBuildSummary);
  }

  async get(id: string): Promise<BuildDetailView> {
    const { entities, raw } = await this.builds
      .createQueryBuilder('b')
      .addSelect('octet_length(b.log)', 'log_bytes')
      .where('b.id = :id', { id })
      .getRawAndEntities<{ log_bytes: number | null }>();
    if (!entities[0]) throw notFound(id);
    return toBuildDetail(entities[0], raw[0]?.log_bytes == null ? null : Number(raw[0].log_bytes));
  }

  async exists(id: string): Promise<boolean> {
    return this.builds.exists({ where: { id } });
  }

  /** Just what live views need to notice a change (no jsonb results, no log). */
  async stateOf(id: string): Promise<Pick<BuildEntity, 'status' | 'progress'> | null> {
    return this.builds.findOne({ where: { id }, select: { status: true, progress: true } });
  }

  /** The stored build log, or its last `tail` lines. */
  async log(id: string, tail?: number): Promise<string> {
    const b = await this.builds.findOne({ where: { id }, select: { id: true, status: true, log: true } });
    if (!b) throw notFound(id);
    if (b.log === null) {
      if (b.status === 'queued' || b.status === 'running') {
        throw new ConflictException(`build ${id} is ${b.status}: its log is stored when it finishes (follow it with \`pfnlab builds watch ${id}\`)`);
      }
      throw new NotFoundException(`build ${id} (${b.status}) has no stored log`);
    }
    return tail === undefined ? b.log : tailLines(b.log, tail);
  }

  async artifacts(id: string): Promise<BuildArtifactsView> {
    const b = await this.builds.findOne({ where: { id } });
    if (!b) throw notFound(id);
    return toBuildArtifacts(b);
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`no build ${id}`);
}
