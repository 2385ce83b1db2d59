import type { Redis } from 'ioredis';
import { RUN_EVENTS_STREAM, type BuildEvent, type FinishedEvent, type PayloadResultEvent, type RunEvent, type RunStep, type VerdictEvent } from '@pfnlab/contracts';

/**
 * Sends a run's events (step progress, the verdict) to the server's
 * stream. A verdict is retried until Redis takes it: losing it would
 * leave the machine leased until the lease expires.
 */
export class RunReporter {
  private seq = 0;
  private verdictSent = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly runId: string,
    private readonly leaseToken: string,
  ) {}

  private async send(event: RunEvent, attempts: number): Promise<void> {
    for (let i = 1; ; i++) {
      try {
        await this.redis.xadd(`${this.prefix}:${RUN_EVENTS_STREAM}`, 'MAXLEN', '~', '100000', '*', 'event', JSON.stringify(event));
        return;
      } catch (e) {
        if (i >= attempts) throw e;
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * i)));
      }
    }
  }

  step(step: RunStep, state: 'running' | 'ok' | 'failed' | 'skipped', extra: { timeoutSeconds?: number; error?: string } = {}): Promise<void> {
    // Each step has one row server-side: its seq is fixed when it starts.
    const seq = state === 'running' || state === 'skipped' ? this.seq++ : this.seq - 1;
    return this.send({ type: 'step', runId: this.runId, leaseToken: this.leaseToken, step, seq, state, at: new Date().toISOString(), ...extra }, 5);
  }

  async verdict(e: Omit<VerdictEvent, 'type' | 'runId' | 'leaseToken' | 'at'>): Promise<void> {
    await this.send({ type: 'verdict', runId: this.runId, leaseToken: this.leaseToken, at: new Date().toISOString(), ...e }, 1000);
    this.verdictSent = true;
  }

  /** A build's progress (best effort: a lost one is replaced by the next) or its result (retried like a verdict). */
  build(e: Omit<BuildEvent, 'type' | 'runId' | 'leaseToken' | 'at'>): Promise<void> {
    return this.send({ type: 'build', runId: this.runId, leaseToken: this.leaseToken, at: new Date().toISOString(), ...e }, e.state === 'finished' ? 1000 : 2);
  }

  /** One payload's results: measurements are what the run is for, so retried like a verdict. */
  payload(e: Omit<PayloadResultEvent, 'type' | 'runId' | 'leaseToken' | 'at'>): Promise<void> {
    return this.send({ type: 'payload', runId: this.runId, leaseToken: this.leaseToken, at: new Date().toISOString(), ...e }, 1000);
  }

  finished(e: Omit<FinishedEvent, 'type' | 'runId' | 'leaseToken' | 'at' | 'verdictSent'>): Promise<void> {
    return this.send({ type: 'finished', runId: this.runId, leaseToken: this.leaseToken, verdictSent: this.verdictSent, at: new Date().toISOString(), ...e }, 1000);
  }
}
