import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RunRecorder } from '../runs/run-recorder';
import { PeriodicTask } from '../common/periodic-task';

/** An agent silent this long is presumed dead; its runs end in ERROR. */
export const AGENT_SILENCE_SECONDS = 90;

/**
 * Ends runs the lab lost: their machine's lease expired, or their agent
 * stopped sending heartbeats. They become ERROR (the lab's fault, retried
 * later) and the machine `unknown`, so it is recovered before its next job.
 * Safe with several replicas: RunRecorder.abandon is conditional.
 */
@Injectable()
export class LeaseReaper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(LeaseReaper.name);
  private sweeper?: PeriodicTask;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly recorder: RunRecorder,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeper = new PeriodicTask(this.log, 'reap', 10_000, () => this.reap());
    this.sweeper.start();
  }

  onModuleDestroy(): void {
    this.sweeper?.stop();
  }

  async reap(): Promise<string[]> {
    // A lab may run several agents: its runs are lost only when none of them is heard from.
    const rows: Array<{ id: string; why: string }> = await this.db.query(
      `SELECT r.id, CASE WHEN m.lease_expires_at < now() THEN 'lease' ELSE 'agent' END AS why
       FROM runs r JOIN machines m ON m.id = r.machine_id AND m.lease_run_id = r.id
       WHERE r.state <> 'finished'
         AND (m.lease_expires_at < now()
              OR (r.state = 'running' AND NOT EXISTS (
                    SELECT 1 FROM agents a WHERE a.lab_id = m.lab_id AND a.last_heartbeat_at >= now() - make_interval(secs => $1))))`,
      [AGENT_SILENCE_SECONDS],
    );
    const ended: string[] = [];
    for (const r of rows) {
      const reason = r.why === 'lease' ? 'the run outlived its machine lease (agent lost or stuck)' : `the lab's agent sent no heartbeat for ${AGENT_SILENCE_SECONDS} s`;
      if (await this.recorder.abandon(r.id, reason)) ended.push(r.id);
    }
    if (ended.length) this.log.warn(`ended ${ended.length} lost run(s) as ERROR`);
    return ended;
  }
}
