import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobSpecSchema, type Arch } from '@pfnlab/contracts';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { JobEntity } from '../db/entities';
import { PeriodicTask } from '../common/periodic-task';

/** One sweep at a time across server replicas, so a machine never gets two checks queued. */
const HEALTH_CHECK_LOCK = 0x7066_6e02; // "pfn" 2
/** Health checks go before everything else: until one passes, nobody knows whether the machine works. */
const HEALTH_CHECK_PRIORITY = 100;

/** The job that checks a machine: its own known-good kernel, then SSH; neither retried nor confirmed (a failure is the answer). */
export function healthCheckSpec(machine: string, arch: Arch) {
  return JobSpecSchema.parse({
    name: `health check ${machine}`,
    kernel: { knownGood: true },
    arch,
    target: { machine },
    priority: HEALTH_CHECK_PRIORITY,
    retry: { maxAttempts: 1, confirmFail: false },
  });
}

/**
 * Queues health checks: for every machine left `unknown` (a run that could
 * not recover it, a lost agent, a new machine), and for idle good machines
 * not checked for `everyHours`. A check is an ordinary job (the scheduler
 * places it, the agent runs it, RunRecorder counts its result: three
 * failures in a row make the machine bad), so it is visible like any run.
 */
@Injectable()
export class HealthCheckScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(HealthCheckScheduler.name);
  private sweeper?: PeriodicTask;
  static intervalMs = 15_000;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.workers || !this.config.healthChecks.enabled) return;
    this.sweeper = new PeriodicTask(this.log, 'health-check sweep', HealthCheckScheduler.intervalMs, () => this.sweep());
    this.sweeper.start();
  }

  onModuleDestroy(): void {
    this.sweeper?.stop();
  }

  /** Queues the checks that are due; returns the machines they are for. */
  async sweep(): Promise<string[]> {
    const hours = this.config.healthChecks.everyHours;
    return this.db.transaction(async (em) => {
      const [{ locked }] = await em.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [HEALTH_CHECK_LOCK]);
      if (!locked) return [];
      const due: Array<{ name: string; arch: Arch; health: string }> = await em.query(
        `SELECT m.name, m.arch, m.health FROM machines m
         WHERE (m.health = 'unknown'
                OR (m.health = 'good' AND $1 > 0 AND (m.checked_at IS NULL OR m.checked_at < now() - make_interval(secs => $1))
                    AND (m.lease_run_id IS NULL OR m.lease_expires_at < now())))
           AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.state IN ('queued', 'running')
                           AND j.spec -> 'kernel' ? 'knownGood' AND j.spec -> 'target' ->> 'machine' = m.name)
         ORDER BY m.name`,
        [hours * 3600],
      );
      for (const m of due) {
        const spec = healthCheckSpec(m.name, m.arch);
        await em.insert(JobEntity, { name: spec.name ?? null, spec, arch: spec.arch, priority: spec.priority, state: 'queued', submittedBy: null });
      }
      if (due.length) this.log.log(`queued health checks for ${due.map((m) => `${m.name} (${m.health})`).join(', ')}`);
      return due.map((m) => m.name);
    });
  }
}
