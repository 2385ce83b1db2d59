import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BisectionsService } from './bisections.service';

/** How often running bisections are checked for an ended step job. */
export const BISECTION_SWEEP_MS = 3000;

/**
 * Advances bisections whose step job has ended (workers role only). Every
 * replica may sweep: BisectionsService.advance locks the row, so each step
 * is taken by one of them. One sweep at a time per process.
 */
@Injectable()
export class BisectionSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(BisectionSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly bisections: BisectionsService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), BISECTION_SWEEP_MS);
    // At start too: steps that ended while no server ran are picked up at once.
    void this.sweep();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  sweep(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        for (const id of await this.bisections.due()) {
          if (!this.timer) break;
          await this.bisections.advance(id).catch((e) => this.log.warn(`bisection ${id}: not advanced (${(e as Error).message}); next sweep retries`));
        }
      } catch (e) {
        this.log.warn(`bisection sweep failed: ${(e as Error).message}`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
