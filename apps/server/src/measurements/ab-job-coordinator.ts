import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { runsBaselineItself, runSlots, type JobSpec } from '@pfnlab/contracts';
import { decideAbRound, type AbDecision } from '@pfnlab/stats';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { ComparisonEntity, JobEntity, RunEntity } from '../db/entities';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue';
import { finishedJobFields } from '../runs/job-verdict';
import type { ComparisonResultRow } from './comparisons.service';
import { ComparisonsService } from './comparisons.service';
import type { ComparisonSide } from './measurement-schemas';
import { PeriodicTask } from '../common/periodic-task';

/**
 * Decides an A/B job (a spec with `baseline:`) at the end of each round of
 * runs: compares the round's baseline and candidate runs, stores that
 * comparison with the job, and either ends the job or, when round 1 found
 * a regression, starts round 2 to confirm it (libs/stats ab-rounds).
 * RunRecorder calls roundEnded after the last run of a round; a sweep
 * catches a round whose call was lost (a server restart in between).
 * Idempotent: the job row is locked and its state checked again before
 * anything is written, so two servers deciding at once store one result.
 */
@Injectable()
export class AbJobCoordinator implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(AbJobCoordinator.name);
  private sweeper?: PeriodicTask;
  static sweepIntervalMs = 30_000;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly comparisons: ComparisonsService,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.workers) return;
    this.sweeper = new PeriodicTask(this.log, 'A/B sweep', AbJobCoordinator.sweepIntervalMs, () => this.sweep());
    this.sweeper.start();
  }

  onModuleDestroy(): void {
    this.sweeper?.stop();
  }

  /** Decides the job's current round if all its runs have finished; returns the decision, or null when there was nothing to decide. */
  async roundEnded(jobId: string): Promise<AbDecision | null> {
    const job = await this.db.getRepository(JobEntity).findOne({ where: { id: jobId } });
    if (!job || job.state !== 'running' || !job.spec.baseline || !isOpen(job.abState)) return null;
    const round = job.abState === 'confirming' ? 2 : 1;
    const runs = await this.db.getRepository(RunEntity).find({ where: { jobId }, order: { createdAt: 'ASC' } });
    // Every run of the round must be there and finished: between two runs there is a moment with none unfinished.
    const finished = new Set(runs.filter((r) => r.state === 'finished').map((r) => `${r.variant}:${r.iteration}`));
    if (runs.some((r) => r.state !== 'finished') || runSlots(job.spec, round).some((s) => !finished.has(`${s.variant}:${s.iteration}`))) return null;
    const computed = await this.comparisons.compute({ baseline: baselineSide(job.spec, runs, round), candidate: { runs: idsOf(runs, 'candidate', round) } });
    const regressed = mostTellingFirst((computed.results as ComparisonResultRow[]).filter((r) => r.verdict === 'regression'));
    const decision = decideAbRound(round, regressed, round === 2 ? await this.regressedInRound1(job) : []);
    const applied = await this.db.transaction(async (em) => {
      const locked = await em.findOne(JobEntity, { where: { id: jobId }, lock: { mode: 'pessimistic_write' } });
      // Someone decided this round meanwhile (another server, the sweep).
      if (!locked || locked.state !== 'running' || locked.abState !== job.abState) return false;
      const saved = await em.save(em.create(ComparisonEntity, { ...computed, createdBy: null, jobId, round }));
      const ab = { abState: decision.state, abSummary: decision.summary, comparisonId: saved.id };
      if (decision.state === 'confirming') await em.update(JobEntity, { id: jobId }, ab);
      else await em.update(JobEntity, { id: jobId }, { ...ab, ...finishedJobFields(runs), state: 'finished', finishedAt: new Date() });
      return true;
    });
    if (!applied) return null;
    this.log.log(`A/B job ${jobId} round ${round}: ${decision.summary}`);
    if (decision.state === 'confirming') await this.queue.enqueue(jobId, job.priority, 'round2');
    return decision;
  }

  /** Running A/B jobs with no unfinished run: a round whose decision was lost. */
  async sweep(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT j.id FROM jobs j WHERE j.state = 'running' AND j.ab_state IN ('measuring', 'confirming')
         AND EXISTS (SELECT 1 FROM runs r WHERE r.job_id = j.id)
         AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.job_id = j.id AND r.state <> 'finished')
         AND j.updated_at < now() - interval '20 seconds'`,
    );
    const decided: string[] = [];
    for (const r of rows) if (await this.roundEnded(r.id)) decided.push(r.id);
    return decided;
  }

  private async regressedInRound1(job: JobEntity): Promise<string[]> {
    const first = await this.db.getRepository(ComparisonEntity).findOne({ where: { jobId: job.id, round: 1 } });
    return mostTellingFirst(((first?.results ?? []) as ComparisonResultRow[]).filter((r) => r.verdict === 'regression'));
  }
}

/**
 * The payload's own measurements before the tracing counters that explain
 * them (`<payload>.counter.*`), each by the size of the change: the job's
 * summary names the first three.
 */
export function mostTellingFirst(rows: Array<Pick<ComparisonResultRow, 'metric' | 'ratio'>>): string[] {
  const counter = (m: string) => (/\.counter\./.test(m) ? 1 : 0);
  return [...rows]
    .sort((a, b) => counter(a.metric) - counter(b.metric) || (b.ratio ?? 0) - (a.ratio ?? 0) || (a.metric < b.metric ? -1 : 1))
    .map((r) => r.metric);
}

function isOpen(state: JobEntity['abState']): boolean {
  return state === 'measuring' || state === 'confirming';
}

function idsOf(runs: RunEntity[], variant: RunEntity['variant'], round: number): string[] {
  return runs.filter((r) => r.variant === variant && r.round === round).map((r) => r.id);
}

/** This round's baseline runs; for `baseline: {job}`, that job's candidate runs (it is the same baseline in both rounds). */
function baselineSide(spec: JobSpec, runs: RunEntity[], round: number): ComparisonSide {
  if (!runsBaselineItself(spec) && spec.baseline && 'job' in spec.baseline) return { job: spec.baseline.job };
  return { runs: idsOf(runs, 'baseline', round) };
}

