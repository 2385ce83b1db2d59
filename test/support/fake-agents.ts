import { Worker } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { runQueueName, type RunDispatch } from '@pfnlab/contracts';
import { RunReporter } from '../../apps/agent/src/run-reporter';

/*
 * Agents that speak the real protocol without machines: each takes its
 * lab's runs from the lab's BullMQ run queue, "runs" them for `runMs`,
 * then reports a PASS verdict and, `recoverMs` later, the run's end
 * through the run-events stream with the agent's own RunReporter.
 */

export interface FakeAgentsOptions {
  redisUrl: string;
  redisPrefix: string;
  labs: string[];
  runMs: number;
  /**
   * Between the verdict and the end, as the real agent's collect and
   * recover steps. 0 makes the two events arrive together: the server
   * replicas share the run-events stream, so an end may then be handled
   * before its verdict (RunRecorder waits for the verdict: VERDICT_GRACE_MS).
   */
  recoverMs: number;
  /** Runs in flight per lab (a real agent runs one per machine). */
  concurrency: number;
}

export class FakeAgents {
  /** How many times each run id was delivered (more than once is a bug somewhere). */
  readonly deliveries = new Map<string, number>();
  private readonly workers: Worker[] = [];
  private readonly redis: Redis;
  private readonly connections: Redis[] = [];

  constructor(private readonly o: FakeAgentsOptions) {
    this.redis = new IORedis(o.redisUrl, { maxRetriesPerRequest: null });
  }

  start(): void {
    for (const lab of this.o.labs) {
      const connection = new IORedis(this.o.redisUrl, { maxRetriesPerRequest: null });
      this.connections.push(connection);
      const worker = new Worker<RunDispatch>(runQueueName(lab), (job) => this.run(job.data), {
        connection,
        prefix: this.o.redisPrefix,
        concurrency: this.o.concurrency,
      });
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
  }

  private async run(d: RunDispatch): Promise<void> {
    this.deliveries.set(d.runId, (this.deliveries.get(d.runId) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, this.o.runMs));
    const reporter = new RunReporter(this.redis, this.o.redisPrefix, d.runId, d.leaseToken);
    await reporter.verdict({ verdict: 'PASS', reason: 'simulated boot', failedStep: null, kernelVersion: '6.1.0-sim', milestones: [], crashes: [] });
    await new Promise((r) => setTimeout(r, this.o.recoverMs));
    await reporter.finished({ consoleLines: 0, machineState: 'good' });
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close().catch(() => undefined)));
    for (const c of [...this.connections, this.redis]) c.disconnect();
  }
}
