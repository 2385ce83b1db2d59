import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { type FinishedEvent, type Health, type RunEvent, type Verdict, type VerdictEvent } from '@pfnlab/contracts';
import { isFlaky, passRate, type SlotState } from '@pfnlab/scheduling';
import { BuildRecorder } from '../builds/build-recorder';
import { CrashRecorder } from '../crashes/crash-recorder';
import { JobEntity, MachineEntity, MachineHealthEventEntity, RunEntity } from '../db/entities';
import { MachineLeases } from '../dispatch/machine-leases';
import { slotStates } from '../dispatch/scheduling-snapshot';
import { AbJobCoordinator } from '../measurements/ab-job-coordinator';
import { PayloadRecorder } from '../measurements/payload-recorder';
import { finishedJobFields } from './job-verdict';

/** How long the end of a run whose agent sent a verdict waits for it to be applied before the run ends without one. */
export const VERDICT_GRACE_MS = 20_000;

/** Thrown so the stream keeps the event and delivers it again (StreamConsumer). */
export class VerdictNotYetApplied extends Error {
  constructor(runId: string) {
    super(`run ${runId} ended before its verdict was applied; trying again`);
  }
}

/** Failed health checks in a row after which a machine is taken out of service as `bad`. */
export const MACHINE_BAD_AFTER = 3;

/**
 * Applies what agents report about runs: step progress, the verdict, and
 * (through BuildRecorder) the kernel builds made for them, (through
 * PayloadRecorder) what their payloads measured.
 * Every write is fenced by the run's lease token, so an agent that lost
 * its lease (it was presumed dead, and the machine went to another run)
 * cannot change anything; reports are idempotent, so a redelivered event
 * is harmless.
 */
@Injectable()
export class RunRecorder {
  private readonly log = new Logger(RunRecorder.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly leases: MachineLeases,
    private readonly crashes: CrashRecorder,
    private readonly builds: BuildRecorder,
    private readonly payloads: PayloadRecorder,
    private readonly ab: AbJobCoordinator,
  ) {}

  async apply(event: RunEvent): Promise<'applied' | 'stale'> {
    switch (event.type) {
      case 'step':
        return this.step(event);
      case 'verdict':
        return this.verdict(event);
      case 'finished':
        return this.finish(event);
      case 'build':
        return this.builds.apply(event);
      case 'payload':
        return this.payloads.apply(event);
    }
  }

  private async step(e: Extract<RunEvent, { type: 'step' }>): Promise<'applied' | 'stale'> {
    return this.db.transaction(async (em) => {
      const run = await em.findOne(RunEntity, { where: { id: e.runId }, lock: { mode: 'pessimistic_write' } });
      if (!run || run.state === 'finished' || run.leaseToken !== e.leaseToken) return 'stale';
      if (run.state === 'queued') await em.update(RunEntity, { id: run.id }, { state: 'running', startedAt: new Date(e.at) });
      const at = new Date(e.at);
      await em.query(
        `INSERT INTO run_steps (run_id, seq, name, state, timeout_seconds, started_at, finished_at, error)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $4 = 'running' THEN $6::timestamptz END, CASE WHEN $4 <> 'running' THEN $6::timestamptz END, $7)
         ON CONFLICT (run_id, seq) DO UPDATE SET state = EXCLUDED.state, error = EXCLUDED.error,
           timeout_seconds = COALESCE(EXCLUDED.timeout_seconds, run_steps.timeout_seconds),
           started_at = COALESCE(run_steps.started_at, EXCLUDED.started_at),
           finished_at = COALESCE(EXCLUDED.finished_at, run_steps.finished_at)`,
        [e.runId, e.seq, e.step, e.state, e.timeoutSeconds ?? null, at, e.error ?? null],
      );
      return 'applied';
    });
  }

  /** Stores the verdict (once) while the run still holds its machine for recovery. */
  private async verdict(e: VerdictEvent): Promise<'applied' | 'stale'> {
    const result = await this.db.transaction(async (em) => {
      const run = await this.fencedRun(em, e.runId, e.leaseToken);
      if (!run || run.verdict) return 'stale' as const;
      await em.update(RunEntity, { id: run.id }, {
        verdict: e.verdict,
        verdictReason: e.reason,
        failedStep: e.failedStep,
        kernelVersion: e.kernelVersion,
        milestones: e.milestones.map((m) => ({ name: m.name, line: m.line, time: m.time, at: m.at })),
      });
      if (e.crashes.length) {
        const machine = await em.findOneByOrFail(MachineEntity, { id: run.machineId! });
        await this.crashes.record(
          e.crashes.map((c) => ({ title: c.title, type: c.type, frame: c.frame, corrupted: c.corrupted, count: c.count, report: c.report })),
          { runId: run.id, machineId: machine.id, arch: machine.arch, kernelVersion: e.kernelVersion, at: new Date(e.at) },
          em,
        );
      }
      return 'applied' as const;
    });
    if (result === 'stale') this.log.warn(`ignored a verdict for run ${e.runId}: stale lease ${e.leaseToken} or verdict already set`);
    return result;
  }

  /** Ends the run: releases the machine's lease, records its state, and finishes the job when it was the last run. */
  private async finish(e: FinishedEvent): Promise<'applied' | 'stale'> {
    let endedBuilds: string[] = [];
    let abRoundEnded: string | null = null;
    const result = await this.db.transaction(async (em) => {
      const run = await this.fencedRun(em, e.runId, e.leaseToken);
      if (!run) return 'stale' as const;
      // With several replicas a run's verdict and its end can be applied by two of them at once: an end
      // that overtook the verdict its agent sent waits (the stream redelivers it), for VERDICT_GRACE_MS at most.
      if (!run.verdict && e.verdictSent && Date.now() - Date.parse(e.at) < VERDICT_GRACE_MS) throw new VerdictNotYetApplied(run.id);
      const verdict = run.verdict ?? 'ERROR';
      await em.update(RunEntity, { id: run.id }, {
        state: 'finished',
        verdict,
        verdictReason: run.verdict ? run.verdictReason : 'the agent ended the run without a verdict',
        finishedAt: new Date(e.at),
      });
      const machine = await em.findOneByOrFail(MachineEntity, { id: run.machineId! });
      await this.leases.release(machine.id, run.id, e.leaseToken, em);
      await this.recordHealthCheck(em, machine, e.machineState === 'good', `after run ${run.id} (${verdict})`);
      endedBuilds = await this.builds.endUnfinished(em, run.id, `the agent ended the run (${verdict})`);
      abRoundEnded = await this.finishJobIfDone(em, run.jobId);
      return 'applied' as const;
    });
    await this.builds.announceEnded(endedBuilds);
    await this.decideAbRound(abRoundEnded);
    if (result === 'stale') this.log.warn(`ignored the end of run ${e.runId} (lease ${e.leaseToken} is not current)`);
    return result;
  }

  /** The run, locked, if it is unfinished and `leaseToken` is still its machine's lease. */
  private async fencedRun(em: EntityManager, runId: string, leaseToken: string): Promise<RunEntity | null> {
    const run = await em.findOne(RunEntity, { where: { id: runId }, lock: { mode: 'pessimistic_write' } });
    if (!run || run.state === 'finished' || run.leaseToken !== leaseToken || !run.machineId) return null;
    return (await this.leases.holds(run.machineId, run.id, leaseToken, em)) ? run : null;
  }

  /** Ends a run the lab lost (agent gone, lease expired): ERROR, machine left for recovery. */
  async abandon(runId: string, reason: string, step: RunEntity['failedStep'] = null, verdict: Verdict = 'ERROR'): Promise<boolean> {
    let endedBuilds: string[] = [];
    let abRoundEnded: string | null = null;
    const ended = await this.db.transaction(async (em) => {
      const run = await em.findOne(RunEntity, { where: { id: runId }, lock: { mode: 'pessimistic_write' } });
      if (!run || run.state === 'finished') return false;
      await em.update(RunEntity, { id: run.id }, { state: 'finished', verdict, verdictReason: reason, failedStep: step, finishedAt: new Date() });
      if (run.machineId && run.leaseToken) {
        const machine = await em.findOneByOrFail(MachineEntity, { id: run.machineId });
        await this.leases.release(machine.id, run.id, run.leaseToken, em);
        // A run that never reached the machine leaves it as it was.
        if (run.state !== 'queued') await this.setHealth(em, machine, 'unknown', reason);
      }
      endedBuilds = await this.builds.endUnfinished(em, run.id, reason);
      abRoundEnded = await this.finishJobIfDone(em, run.jobId);
      return true;
    });
    await this.builds.announceEnded(endedBuilds);
    await this.decideAbRound(abRoundEnded);
    return ended;
  }

  /** After the commit that ended an A/B job's round; a failure here is retried by the coordinator's sweep. */
  private async decideAbRound(jobId: string | null): Promise<void> {
    if (!jobId) return;
    await this.ab.roundEnded(jobId).catch((err: Error) => this.log.warn(`A/B job ${jobId}: deciding the round failed (the sweep retries): ${err.message}`));
  }

  /**
   * The agent's recovery after a run is a health check (the known-good
   * kernel booted and answered, or not). MACHINE_BAD_AFTER failures in a row
   * take the machine out of service as `bad`, announced in its history and
   * the log; a success resets the count.
   */
  private async recordHealthCheck(em: EntityManager, machine: MachineEntity, passed: boolean, reason: string): Promise<void> {
    if (passed) {
      await em.update(MachineEntity, { id: machine.id }, { failedChecks: 0, checkedAt: new Date() });
      return this.setHealth(em, machine, 'good', reason);
    }
    const failed = machine.failedChecks + 1;
    await em.update(MachineEntity, { id: machine.id }, { failedChecks: failed, checkedAt: new Date() });
    if (failed < MACHINE_BAD_AFTER || !['good', 'unknown'].includes(machine.health)) return this.setHealth(em, machine, 'unknown', reason);
    const why = `failed ${failed} health checks in a row (last: recovery ${reason}); an operator must look at it`;
    await em.update(MachineEntity, { id: machine.id }, { health: 'bad', healthChangedAt: new Date() });
    await em.insert(MachineHealthEventEntity, { machineId: machine.id, fromState: machine.health, toState: 'bad', reason: why, actor: 'health-check' });
    this.log.warn(`machine ${machine.name} is now bad: ${why}`);
  }

  private async setHealth(em: EntityManager, machine: MachineEntity, to: Health, reason: string): Promise<void> {
    // Operators' decisions (maintenance, retired) and `bad` are not overridden by a run.
    if (machine.health === to || !['good', 'unknown'].includes(machine.health)) return;
    await em.update(MachineEntity, { id: machine.id }, { health: to, healthChangedAt: new Date() });
    await em.insert(MachineHealthEventEntity, { machineId: machine.id, fromState: machine.health, toState: to, reason, actor: 'run' });
  }

  /**
   * Ends the job once every run slot it is to have is settled: finished,
   * and neither to be retried (ERROR) nor to be confirmed (a first FAIL;
   * libs/scheduling retry-policy). A job whose kernel both passed and failed
   * is labelled flaky with its pass rate. An A/B job is decided by
   * AbJobCoordinator after this commit (a comparison, maybe a second
   * round): its id is returned instead.
   */
  private async finishJobIfDone(em: EntityManager, jobId: string): Promise<string | null> {
    const job = await em.findOne(JobEntity, { where: { id: jobId }, lock: { mode: 'pessimistic_write' } });
    if (!job || job.state === 'finished' || job.state === 'canceled') return null;
    const runs = await em.find(RunEntity, { where: { jobId } });
    if (runs.some((r) => r.state !== 'finished')) return null;
    const slots = slotStates(job.spec, job.abState, runs.map((r) => ({ ...r, failed_step: r.failedStep, finished_at: r.finishedAt, machine: r.machineId })));
    const settled = slots.map((s) => s.state).filter((s): s is Extract<SlotState, { state: 'done' }> => s.state === 'done');
    if (settled.length < slots.length) return null;
    if (job.spec.baseline) return jobId;
    const flaky = isFlaky(settled);
    const verdict = finishedJobFields(settled.map((s) => ({ verdict: s.verdict, verdictReason: null })));
    // The reason of the run that decided the verdict (its last attempt), or the slot's own (out of retries).
    const worst = settled.find((s) => s.verdict === verdict.verdict);
    const deciding = [...runs].filter((r) => (r.verdict ?? 'ERROR') === verdict.verdict).sort((a, b) => b.attempt - a.attempt)[0];
    let verdictReason = worst?.reason ?? deciding?.verdictReason ?? null;
    const rate = passRate(runs.map((r) => r.verdict));
    if (flaky) verdictReason = `flaky: passed ${Math.round((rate ?? 0) * 100)}% of ${runs.filter((r) => r.verdict === 'PASS' || r.verdict === 'FAIL').length} runs${verdictReason ? `; ${verdictReason}` : ''}`;
    await em.update(JobEntity, { id: jobId, state: In(['queued', 'running']) }, { state: 'finished', verdict: verdict.verdict, verdictReason, flaky, passRate: rate, finishedAt: new Date() });
    return null;
  }
}
