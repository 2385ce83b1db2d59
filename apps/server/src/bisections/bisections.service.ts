import { BadRequestException, ConflictException, Inject, Injectable, Logger, NotFoundException, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  BisectInputError,
  decideNext,
  describeDecision,
  parseCriterion,
  recordOutcome,
  restoreState,
  startBisection,
  type BisectState,
  type Criterion,
  type StepOutcome,
} from '@pfnlab/bisect';
import type { Principal } from '../auth/principal';
import { keysetPage, type Page } from '../common/pagination';
import { BisectionEntity, JobEntity, type BisectionState } from '../db/entities';
import { JobsService } from '../jobs/jobs.service';
import { checkBisectionRequest, stepJobSpec, type BisectionRequest, type TreeJobSpec } from './bisection-request';
import { bisectionSummary, bisectionView, type StepLogEntry } from './bisection-view';
import { GitRangeError, TreeMirrors } from './git-range';
import { stepOutcome, type StepRunRow } from './step-outcome';

export const TREE_MIRRORS = Symbol('TREE_MIRRORS');

export interface BisectionFilter {
  state?: BisectionState;
  limit: number;
  cursor?: string;
}

/**
 * Runs bisections: resolves the range with git, submits each step as a
 * normal job (JobsService), and when a step's job has ended reads its
 * outcome from the database, hands it to libs/bisect and submits the next
 * step or stores the answer.
 *
 * Several server replicas may sweep at once: advance() takes the
 * bisection's row lock (FOR UPDATE SKIP LOCKED) and re-reads the row under
 * it, so a step is recorded and the next one submitted by exactly one
 * replica; the others skip the row.
 */
@Injectable()
export class BisectionsService implements OnModuleInit {
  private readonly log = new Logger(BisectionsService.name);
  private jobs!: JobsService;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(TREE_MIRRORS) private readonly mirrors: TreeMirrors,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    // JobsService is provided by the application module (with the queue and the run canceller it needs);
    // one instance for the whole server, looked up rather than provided twice.
    this.jobs = this.moduleRef.get(JobsService, { strict: false });
  }

  async create(req: BisectionRequest, by: Principal) {
    const { spec, criterion, options } = checkBisectionRequest(req);
    let commits: string[];
    let goodCommit: string;
    let badCommit: string;
    try {
      const mirror = await this.mirrors.update(spec.kernel.tree);
      goodCommit = await this.mirrors.resolve(mirror, req.good, 'good');
      badCommit = await this.mirrors.resolve(mirror, req.bad, 'bad');
      commits = await this.mirrors.range(mirror, goodCommit, badCommit);
    } catch (e) {
      if (e instanceof GitRangeError) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: e.message, problems: [{ path: problemPath(e.message), message: e.message }] });
      throw e;
    }
    let state: BisectState;
    try {
      state = startBisection({ commits, criterion, options });
    } catch (e) {
      if (e instanceof RangeError || e instanceof BisectInputError) {
        throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `invalid options for ${commits.length} commits: ${e.message}`, problems: [{ path: 'options', message: e.message }] });
      }
      throw e;
    }
    const row = this.db.getRepository(BisectionEntity).create({
      state: 'running', goodRef: req.good, badRef: req.bad, criterion: state.criterion, spec, steps: [], culprit: null, conclusion: null,
      createdBy: by.userId, goodCommit, badCommit, bisectState: state as unknown as Record<string, any>, currentJobId: null, currentCommit: null,
      progress: `starting: ${commits.length} commits from ${goodCommit.slice(0, 12)} to ${badCommit.slice(0, 12)}`, result: null,
    });
    await this.db.getRepository(BisectionEntity).insert(row);
    // The first step now; should its submission fail (Redis away), the sweep submits it later.
    await this.advance(row.id).catch((e) => this.log.warn(`bisection ${row.id}: first step not submitted yet (${(e as Error).message}); the sweep retries`));
    return this.view(row.id);
  }

  async view(id: string) {
    const b = await this.db.getRepository(BisectionEntity).findOne({ where: { id } });
    if (!b) throw new NotFoundException(`no bisection ${id}`);
    return bisectionView(b);
  }

  async list(f: BisectionFilter): Promise<Page<ReturnType<typeof bisectionSummary>>> {
    const qb = this.db.getRepository(BisectionEntity).createQueryBuilder('b');
    if (f.state) qb.andWhere('b.state = :state', { state: f.state });
    return keysetPage(qb, 'b', f, bisectionSummary);
  }

  /** Stops a running bisection and cancels its step job. */
  async cancel(id: string, by: Principal) {
    const jobId = await this.db.transaction(async (em) => {
      const b = await em.createQueryBuilder(BisectionEntity, 'b').setLock('pessimistic_write').where('b.id = :id', { id }).getOne();
      if (!b) throw new NotFoundException(`no bisection ${id}`);
      if (b.state !== 'running') throw new ConflictException(`bisection ${id} is ${b.state}; only a running bisection can be canceled`);
      const reason = `canceled by ${by.userName}`;
      await em.update(BisectionEntity, { id }, { state: 'canceled', conclusion: reason, progress: `${reason} after ${b.steps.length} step(s)`, finishedAt: new Date(), currentJobId: null });
      return b.currentJobId;
    });
    if (jobId) {
      await this.jobs.cancel(jobId).catch((e) => {
        if (!(e instanceof ConflictException)) this.log.warn(`bisection ${id}: step job ${jobId} not canceled (${(e as Error).message})`);
      });
    }
    return this.view(id);
  }

  /** Running bisections with nothing under way or whose step job has ended: the sweep advances them. */
  async due(limit = 100): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT b.id FROM bisections b LEFT JOIN jobs j ON j.id = b.current_job_id
        WHERE b.state = 'running' AND (b.current_job_id IS NULL OR j.state IN ('finished', 'canceled'))
        ORDER BY b.updated_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * One move of a bisection: record the ended step job's outcome, decide,
   * and submit the next step or store the answer. Returns false when
   * there was nothing to do (step still running, another replica holds the
   * row, or the bisection ended).
   */
  async advance(id: string): Promise<boolean> {
    return this.db.transaction(async (em) => {
      const b = await em.createQueryBuilder(BisectionEntity, 'b').setLock('pessimistic_write').setOnLocked('skip_locked')
        .where('b.id = :id AND b.state = :running', { id, running: 'running' }).getOne();
      if (!b) return false;
      const log = [...(b.steps as StepLogEntry[])];
      let state: BisectState;
      try {
        state = restoreState(b.bisectState);
        if (b.currentJobId) {
          const job = await em.findOne(JobEntity, { where: { id: b.currentJobId } });
          if (job && job.state !== 'finished' && job.state !== 'canceled') return false;
          if (job && b.currentCommit) {
            const criterion = parseCriterion(state.criterion);
            const { outcome, runIds } = await this.stepOutcome(em, job.id, criterion);
            const at = log.findIndex((e) => e.jobId === job.id);
            if (at >= 0) log[at] = { ...log[at], finishedAt: (job.finishedAt ?? new Date()).toISOString(), runIds };
            if (outcome.runs.length === 0 && !outcome.build) {
              // Nothing ran (no machine could take the job, or someone canceled it): asking again would loop. Stop and say why.
              const why = `step ${log[at]?.step ?? '?'} job ${job.id} ended without a run (${job.state}${job.verdictReason ? `: ${job.verdictReason}` : ''}); fix that and start the bisection again`;
              await em.update(BisectionEntity, { id }, { state: 'error', bisectState: state as unknown as Record<string, any>, conclusion: why, progress: `stopped: ${why}`, currentJobId: null, finishedAt: new Date(), steps: log });
              this.log.warn(`bisection ${id}: ${why}`);
              return true;
            }
            state = recordOutcome(state, b.currentCommit, outcome);
          }
        }
      } catch (e) {
        if (!(e instanceof BisectInputError)) throw e;
        // A stored state or a step record libs/bisect refuses: stop and say so rather than guess.
        await em.update(BisectionEntity, { id }, { state: 'error', conclusion: e.message, progress: `stopped: ${e.message}`, currentJobId: null, finishedAt: new Date(), steps: log });
        return true;
      }
      const d = decideNext(state);
      const line = describeDecision(d);
      const stateJson = state as unknown as Record<string, any>;
      if (d.kind === 'test') {
        const runs = Math.max(1, d.runs);
        const job = await this.jobs.submit(stepJobSpec(b.spec as TreeJobSpec, d.commit, runs, d.step), stepPrincipal(b));
        log.push({
          step: d.step, commit: d.commit, index: d.index, purpose: d.purpose, runs, jobId: job.id, line, commitsLeft: d.commitsLeft,
          submittedAt: new Date().toISOString(), finishedAt: null, runIds: [],
        });
        await em.update(BisectionEntity, { id }, { bisectState: stateJson, currentJobId: job.id, currentCommit: d.commit, progress: line, steps: log });
        this.log.log(`bisection ${id}: ${line} (job ${job.id})`);
        return true;
      }
      await em.update(BisectionEntity, { id }, {
        state: d.kind === 'found' ? 'found' : 'cannot-bisect',
        bisectState: stateJson,
        culprit: d.kind === 'found' ? d.culprit : null,
        conclusion: d.kind === 'found' ? line : d.message,
        result: d as unknown as Record<string, any>,
        progress: line,
        currentJobId: null,
        currentCommit: null,
        finishedAt: new Date(),
        steps: log,
      });
      this.log.log(`bisection ${id}: ${line}`);
      return true;
    });
  }

  /** The ended step job's build, runs, crash titles and (metric criteria) measurements, as a StepOutcome. */
  private async stepOutcome(em: EntityManager, jobId: string, criterion: Criterion): Promise<{ outcome: StepOutcome; runIds: string[] }> {
    const builds: Array<{ status: string; title: string | null }> = await em.query(`SELECT status, title FROM builds WHERE job_id = $1 ORDER BY created_at`, [jobId]);
    const runs: Array<Omit<StepRunRow, 'crashTitles' | 'metricValues'>> = await em.query(
      `SELECT id, state, verdict, verdict_reason AS "verdictReason", failed_step AS "failedStep", milestones
         FROM runs WHERE job_id = $1 ORDER BY variant, iteration, attempt`,
      [jobId],
    );
    const ids = runs.map((r) => r.id);
    const titles = new Map<string, string[]>();
    const crashRows: Array<{ runId: string; title: string }> = ids.length
      ? await em.query(`SELECT o.run_id AS "runId", c.title FROM crash_occurrences o JOIN crashes c ON c.id = o.crash_id WHERE o.run_id = ANY($1::uuid[]) ORDER BY o.at`, [ids])
      : [];
    for (const r of crashRows) titles.set(r.runId, [...(titles.get(r.runId) ?? []), r.title]);
    const values = new Map<string, number[]>();
    if (criterion.kind === 'metric' && ids.length) {
      const m: Array<{ runId: string; value: number }> = await em.query(
        `SELECT run_id AS "runId", value FROM measurements WHERE job_id = $1 AND metric = $2 ORDER BY run_id, iteration, id`,
        [jobId, criterion.metric],
      );
      for (const r of m) values.set(r.runId, [...(values.get(r.runId) ?? []), Number(r.value)]);
    }
    const rows: StepRunRow[] = runs.map((r) => ({ ...r, crashTitles: titles.get(r.id) ?? [], metricValues: values.get(r.id) }));
    return { outcome: stepOutcome(criterion, builds, rows), runIds: ids };
  }
}

/** Step jobs are submitted on behalf of whoever started the bisection. */
function stepPrincipal(b: BisectionEntity): Principal {
  return { userId: b.createdBy as string, userName: 'bisection', tokenId: '', role: 'operator' };
}

/** Which request field a git error is about, for the 400's problem list. */
function problemPath(message: string): string {
  if (message.startsWith('good')) return 'good';
  if (message.startsWith('bad')) return 'bad';
  if (/^cannot (clone|fetch)|is not a git URL/.test(message)) return 'spec.kernel.tree';
  return 'good..bad';
}
