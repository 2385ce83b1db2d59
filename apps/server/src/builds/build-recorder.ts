import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { BuildEvent, JobSpec } from '@pfnlab/contracts';
import { BuildEntity, JobEntity, RunEntity } from '../db/entities';
import { BUILD_FINISHED_STATUSES, type StoredBuildProgress } from '../db/entities/build.entity';
import { MachineLeases } from '../dispatch/machine-leases';
import { lockLeasedRun } from '../runs/leased-run';
import { BuildLiveHub, type BuildLiveUpdate } from './build-live-hub';
import { capLog, sanitizeMetadata, sanitizeReport } from './build-report-sanitizer';

type BuildRequest = NonNullable<BuildEvent['request']>;

type Outcome =
  | { result: 'applied'; update: BuildLiveUpdate | null }
  | { result: 'unchanged'; why: string }
  | { result: 'stale'; why: string };

/** The columns that say what was asked for. */
function requestColumns(r: BuildRequest): Partial<BuildEntity> {
  return { treeUrl: r.tree, ref: r.ref, arch: r.arch, config: { base: r.configBase, fragments: r.fragments }, patches: r.patches, toolchain: r.toolchain };
}

/** What the job spec's `kernel:` source section asked for, when the agent's first event to arrive did not say. */
export function requestFromJob(spec: JobSpec | undefined, arch: JobEntity['arch'] | undefined): BuildRequest | null {
  const k = spec?.kernel;
  if (!k || !arch || !('tree' in k)) return null;
  return { tree: k.tree, ref: k.ref, arch, configBase: k.config.base, fragments: k.config.fragments, patches: k.patches, toolchain: k.toolchain };
}

/**
 * Applies what agents report about the kernel builds they make for runs
 * (the `build` run events). Fenced like every run event: the run must be
 * unfinished and the event's lease token its machine's current lease, or
 * nothing is written. Upserts by the agent's build id, so a redelivered
 * event changes nothing; a finished build is never moved back by a late
 * progress report, and an older progress report never replaces a newer
 * one (events may arrive out of order when several server replicas
 * consume the stream). Each stored change is announced on the build's
 * live channel after the commit.
 */
@Injectable()
export class BuildRecorder {
  private readonly log = new Logger(BuildRecorder.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly leases: MachineLeases,
    private readonly live: BuildLiveHub,
  ) {}

  async apply(e: BuildEvent): Promise<'applied' | 'stale'> {
    const outcome = Number.isNaN(Date.parse(e.at))
      ? ({ result: 'stale', why: `"at" is not a timestamp: ${JSON.stringify(e.at.slice(0, 40))}` } as const)
      : await this.db.transaction((em) => this.record(em, sanitizeReport(e)));
    if (outcome.result === 'applied') {
      if (outcome.update) await this.live.publish(outcome.update);
      return 'applied';
    }
    const what = `${e.state} event of build ${e.buildId} (run ${e.runId})`;
    if (outcome.result === 'stale') this.log.warn(`ignored a ${what}: ${outcome.why}`);
    else this.log.debug(`nothing to change for a ${what}: ${outcome.why}`);
    return 'stale';
  }

  private async record(em: EntityManager, e: BuildEvent): Promise<Outcome> {
    const fenced = await lockLeasedRun(em, this.leases, e.runId, e.leaseToken);
    if ('stale' in fenced) return { result: 'stale', why: fenced.stale };
    const run = fenced.run;
    const at = new Date(e.at);
    const existing = await em.findOne(BuildEntity, { where: { id: e.buildId }, lock: { mode: 'pessimistic_write' } });
    if (existing && existing.runId !== run.id) return { result: 'stale', why: `the build belongs to run ${existing.runId ?? '(none)'}` };
    if (existing && BUILD_FINISHED_STATUSES.includes(existing.status)) {
      return { result: 'unchanged', why: `the build already finished (${existing.status})` };
    }
    let fresh: Partial<BuildEntity> | null = null;
    if (!existing) {
      const job = await em.findOne(JobEntity, { where: { id: run.jobId } });
      const request = e.request ?? sanitizeReport(requestFromJob(job?.spec, job?.arch));
      if (!request) return { result: 'stale', why: "a new build's first event must carry its request (the job has no kernel source to take it from)" };
      fresh = { id: e.buildId, runId: run.id, jobId: run.jobId, status: 'queued', ...requestColumns(request) };
    }
    const current = existing ?? (fresh as BuildEntity);
    const { patch, update } = e.state === 'finished' ? this.finishedPatch(e, current, at) : this.runningPatch(e, current, at);

    if (fresh) await em.insert(BuildEntity, { ...fresh, ...patch });
    else if (Object.keys(patch).length) await em.update(BuildEntity, { id: e.buildId }, patch);
    else return { result: 'unchanged', why: 'an older or repeated progress report' };

    // The run's build is the first one reported for it; a run that reports a build is under way.
    if (!run.buildId || run.state === 'queued') {
      await em.update(RunEntity, { id: run.id }, {
        buildId: run.buildId ?? e.buildId,
        ...(run.state === 'queued' ? { state: 'running' as const, startedAt: run.startedAt ?? at } : {}),
      });
    }
    return { result: 'applied', update };
  }

  private runningPatch(e: BuildEvent, b: Partial<BuildEntity>, at: Date): { patch: Partial<BuildEntity>; update: BuildLiveUpdate | null } {
    const patch: Partial<BuildEntity> = {};
    if (b.status !== 'running') patch.status = 'running';
    if (!b.startedAt || b.startedAt > at) patch.startedAt = at;
    if (e.request && b.id && !sameRequest(b, e.request)) Object.assign(patch, requestColumns(e.request));
    let update: BuildLiveUpdate | null = null;
    const newer = !b.progress || Date.parse(b.progress.updatedAt) < at.getTime();
    if (e.progress && newer) {
      const progress: StoredBuildProgress = { phase: e.progress.phase, percent: e.progress.percent, message: e.progress.message ?? null, updatedAt: at.toISOString() };
      patch.progress = progress;
      patch.phase = progress.phase;
      update = { kind: 'progress', buildId: e.buildId, progress };
    }
    return { patch, update };
  }

  private finishedPatch(e: BuildEvent, b: Partial<BuildEntity>, at: Date): { patch: Partial<BuildEntity>; update: BuildLiveUpdate } {
    const r = e.result!;
    const startedAt = b.startedAt ?? new Date(at.getTime() - r.seconds * 1000);
    const patch: Partial<BuildEntity> = {
      ...(e.request ? requestColumns(e.request) : {}),
      status: r.status,
      title: r.title,
      phase: r.phase,
      commit: r.commit,
      contentHash: r.contentHash,
      reused: r.reused,
      seconds: r.seconds,
      image: r.image,
      artifacts: r.artifacts,
      location: r.location,
      metadata: sanitizeMetadata(r.metadata),
      errors: r.errors,
      warnings: r.warnings,
      droppedOptions: r.droppedOptions,
      sizeDelta: r.sizeDelta,
      log: capLog(r.log),
      progress: null,
      startedAt,
      finishedAt: at < startedAt ? startedAt : at,
    };
    return { patch, update: { kind: 'finished', buildId: e.buildId, status: r.status } };
  }

  /**
   * Ends the builds of a run that is ending (in the caller's transaction):
   * a build still running then will never report again. Returns their ids
   * for announceEnded() after the commit.
   */
  async endUnfinished(em: EntityManager, runId: string, reason: string): Promise<string[]> {
    const builds = await em.find(BuildEntity, { where: { runId, status: In(['queued', 'running']) }, select: { id: true } });
    if (!builds.length) return [];
    await em.update(BuildEntity, { id: In(builds.map((b) => b.id)) }, { status: 'ERROR', title: `the run ended before its build finished: ${reason}`, progress: null, finishedAt: new Date() });
    return builds.map((b) => b.id);
  }

  async announceEnded(buildIds: string[]): Promise<void> {
    for (const buildId of buildIds) await this.live.publish({ kind: 'finished', buildId, status: 'ERROR' });
  }
}

function sameRequest(b: Partial<BuildEntity>, r: BuildRequest): boolean {
  return JSON.stringify(requestColumns(r)) === JSON.stringify({ treeUrl: b.treeUrl, ref: b.ref, arch: b.arch, config: b.config, patches: b.patches, toolchain: b.toolchain });
}
