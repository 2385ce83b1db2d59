import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { JobEntity } from '../db/entities';
import { JOB_QUEUE, type JobQueue } from './job-queue';
import { PeriodicTask } from '../common/periodic-task';

/**
 * Repairs the queue from PostgreSQL: a queued job whose entry Redis lost (a
 * Redis restart without persistence, a crash between commit and enqueue)
 * is enqueued again. Enqueue is idempotent by job id, so several server
 * replicas running this at once do no harm.
 */
@Injectable()
export class QueueReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(QueueReconciler.name);
  private sweeper?: PeriodicTask;
  static intervalMs = 30_000;

  constructor(
    @InjectRepository(JobEntity) private readonly jobs: Repository<JobEntity>,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.workers) return;
    this.sweeper = new PeriodicTask(this.log, 'reconcile', QueueReconciler.intervalMs, () => this.reconcile());
    this.sweeper.start();
  }

  onModuleDestroy(): void {
    this.sweeper?.stop();
  }

  /** Re-enqueues queued jobs older than `graceMs` that the queue does not have; returns their ids. */
  async reconcile(graceMs = 10_000, batch = 500): Promise<string[]> {
    const stale = await this.jobs.find({
      where: { state: 'queued', createdAt: LessThan(new Date(Date.now() - graceMs)) },
      order: { createdAt: 'ASC' },
      take: batch,
      select: { id: true, priority: true },
    });
    const repaired: string[] = [];
    for (const job of stale) {
      if (!(await this.queue.has(job.id))) {
        await this.queue.enqueue(job.id, job.priority);
        repaired.push(job.id);
      }
    }
    if (repaired.length) this.log.warn(`re-enqueued ${repaired.length} job(s) the queue had lost`);
    return repaired;
  }
}
