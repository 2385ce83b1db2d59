import type { Logger } from '@nestjs/common';

/**
 * A background sweep every `intervalMs`: a failure is logged and the next
 * round tries again; rounds never overlap (a slow round delays the next);
 * the timer never keeps the process alive.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly log: Logger,
    private readonly what: string,
    private readonly intervalMs: number,
    private readonly round: () => Promise<unknown>,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round now (skipped while one is under way). */
  async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.round();
    } catch (e) {
      this.log.warn(`${this.what} failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
