import type { EntityManager } from 'typeorm';
import { runsBaselineItself, runSlots, type AbRound, type Arch, type Health, type JobSpec, type Platform, type RunSlot } from '@pfnlab/contracts';
import { DEFAULT_RETRY_POLICY, slotState, type AttemptView, type QueuedRun, type RetryPolicy, type SchedulingMachine, type SlotState } from '@pfnlab/scheduling';
import type { AbState } from '@pfnlab/stats';

/** A machine as the scheduler sees it, with what dispatching needs. */
export interface SnapshotMachine extends SchedulingMachine {
  id: string;
  lab: string;
}

/** What a QueuedRun stands for: the job's slot and the attempt to make. */
export interface OpenSlot {
  jobId: string;
  spec: JobSpec;
  slot: RunSlot;
  attempt: number;
  /** Whether its job has not started yet (an impossible first run ends the job at once). */
  jobQueued: boolean;
  pinned: boolean;
}

export interface SchedulingSnapshot {
  machines: SnapshotMachine[];
  runs: QueuedRun[];
  slots: Map<string, OpenSlot>;
}

/** Whoever submitted nothing (a job of the bootstrap token, a test) shares one fair-share bucket. */
const NO_USER = '-';

interface JobRow { id: string; spec?: JobSpec; arch: Arch; priority: number; state: string; submitted_by: string | null; created_at: Date; ab_state: AbState | null }
interface RunRow { job_id: string; variant: RunSlot['variant']; iteration: number; attempt: number; state: string; verdict: AttemptView['verdict']; failed_step: string | null; finished_at: Date | null; machine: string | null }

/** The retry policy of a job: its spec's `retry`, over the defaults; A/B jobs measure, so their FAILs are not rerun. */
export function retryPolicyOf(spec: Pick<JobSpec, 'baseline' | 'retry'>): RetryPolicy {
  return {
    ...DEFAULT_RETRY_POLICY,
    maxAttempts: spec.retry?.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    confirmFail: !spec.baseline && (spec.retry?.confirmFail ?? DEFAULT_RETRY_POLICY.confirmFail),
  };
}

/** Every slot of a job with where it stands, from its runs (all attempts). */
export function slotStates(spec: JobSpec, abState: AbState | null, runs: Array<Pick<RunRow, 'variant' | 'iteration' | 'attempt' | 'state' | 'verdict' | 'failed_step' | 'finished_at' | 'machine'>>): Array<{ slot: RunSlot; state: SlotState }> {
  const rounds: AbRound = abState === 'confirming' ? 2 : 1;
  const policy = retryPolicyOf(spec);
  return runSlots(spec, rounds).map((slot) => {
    const attempts = runs
      .filter((r) => r.variant === slot.variant && r.iteration === slot.iteration)
      .map((r) => ({ attempt: r.attempt, verdict: r.verdict, finished: r.state === 'finished', finishedAt: r.finished_at ? r.finished_at.getTime() : null, machine: r.machine, failedStep: r.failed_step }));
    return { slot, state: slotState(attempts, policy) };
  });
}

/**
 * Reads what one scheduling decision needs, inside the scheduler's
 * transaction: every machine (leased ones with the user holding them, for
 * fair share), and every slot of an unfinished job that is open now.
 * An A/B job offers one slot at a time, in order, on its first run's machine.
 */
export async function loadSchedulingSnapshot(em: EntityManager, now: number, specCache: Map<string, JobSpec> = new Map()): Promise<SchedulingSnapshot> {
  const machineRows: Array<{ id: string; name: string; lab: string; arch: Arch; platform: Platform; tags: string[]; memory_mib: number; health: Health; leased_by: string | null }> = await em.query(
    `SELECT m.id, m.name, l.name AS lab, m.arch, m.platform, m.tags, m.memory_mib, m.health,
            CASE WHEN m.lease_run_id IS NOT NULL AND m.lease_expires_at > now() THEN COALESCE(j.submitted_by::text, '${NO_USER}') END AS leased_by
     FROM machines m JOIN labs l ON l.id = m.lab_id
     LEFT JOIN runs r ON r.id = m.lease_run_id LEFT JOIN jobs j ON j.id = r.job_id`,
  );
  const machines: SnapshotMachine[] = machineRows.map((m) => ({
    id: m.id, name: m.name, lab: m.lab, arch: m.arch, platform: m.platform, tags: m.tags ?? [], memoryMiB: Number(m.memory_mib), health: m.health, leasedBy: m.leased_by,
  }));
  const jobs: JobRow[] = await em.query(
    `SELECT id, arch, priority, state, submitted_by, created_at, ab_state FROM jobs WHERE state IN ('queued', 'running')`,
  );
  await fillSpecs(em, jobs, specCache);
  const runRows: RunRow[] = jobs.length
    ? await em.query(
        `SELECT r.job_id, r.variant, r.iteration, r.attempt, r.state, r.verdict, r.failed_step, r.finished_at, m.name AS machine
         FROM runs r LEFT JOIN machines m ON m.id = r.machine_id
         WHERE r.job_id IN (SELECT id FROM jobs WHERE state IN ('queued', 'running'))`,
      )
    : [];
  const runsByJob = new Map<string, RunRow[]>();
  for (const r of runRows) {
    const list = runsByJob.get(r.job_id);
    if (list) list.push(r);
    else runsByJob.set(r.job_id, [r]);
  }
  const out: SchedulingSnapshot = { machines, runs: [], slots: new Map() };
  for (const job of jobs) {
    const runs = runsByJob.get(job.id) ?? [];
    const spec = job.spec;
    if (!spec) continue; // deleted between the two reads
    const states = slotStates(spec, job.ab_state, runs);
    const paired = runsBaselineItself(spec);
    // A/B: one at a time, in slot order, so baseline and candidate alternate on one machine.
    if (paired && states.some((s) => s.state.state === 'running')) continue;
    const open = states.filter((s) => s.state.state === 'open');
    const offered = paired ? open.slice(0, 1) : open;
    const pinnedMachine = paired ? runs.find((r) => r.machine)?.machine ?? undefined : undefined;
    for (const { slot, state } of offered) {
      if (state.state !== 'open' || state.notBefore > now) continue;
      const id = `${job.id}/${slot.variant}/${slot.iteration}/${state.attempt}`;
      out.runs.push({
        id,
        user: job.submitted_by ?? NO_USER,
        arch: job.arch,
        target: spec.target,
        priority: job.priority,
        // A retry waits from when its backoff ended; a first run from the submission.
        queuedAt: state.why === 'retry' ? state.notBefore : job.created_at.getTime(),
        ...(pinnedMachine ? { pinnedMachine } : {}),
        ...(state.avoidMachine && !pinnedMachine ? { avoidMachine: state.avoidMachine } : {}),
      });
      out.slots.set(id, { jobId: job.id, spec, slot, attempt: state.attempt, jobQueued: job.state === 'queued', pinned: !!pinnedMachine });
    }
  }
  return out;
}

/**
 * Sets each job's spec from the cache, reading only the specs of jobs not
 * seen before (a spec never changes after submission; parsing 10,000 of
 * them every tick was most of a snapshot's cost). Forgets finished jobs.
 */
async function fillSpecs(em: EntityManager, jobs: JobRow[], cache: Map<string, JobSpec>): Promise<void> {
  const missing = jobs.filter((j) => !cache.has(j.id)).map((j) => j.id);
  if (missing.length) {
    const rows: Array<{ id: string; spec: JobSpec }> = await em.query(`SELECT id, spec FROM jobs WHERE id = ANY($1::uuid[])`, [missing]);
    for (const r of rows) cache.set(r.id, r.spec);
  }
  const live = new Set(jobs.map((j) => j.id));
  for (const id of cache.keys()) if (!live.has(id)) cache.delete(id);
  for (const j of jobs) j.spec = cache.get(j.id);
}
