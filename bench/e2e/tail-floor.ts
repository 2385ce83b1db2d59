import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distribution, wallMs, type Distribution } from './bench-common';
import type { Probe, Probes } from './probes';
import type { TailedLine } from './file-tail';

/**
 * The noise floor of the file tails: while a benchmark runs, lines are
 * written to a scratch file at known times (every 5 to 30 ms, at random,
 * from the main thread) and tailed by the same kind of probe, in the same
 * worker, as the console files. The delay from write() to the tail's
 * report is what the tail itself adds to every console timestamp.
 */
export class TailFloor {
  private readonly dir = mkdtempSync(join(tmpdir(), 'pfnlab-bench-floor-'));
  private readonly file = join(this.dir, 'floor.log');
  private readonly fd = openSync(this.file, 'a');
  private readonly written: number[] = [];
  private timer?: NodeJS.Timeout;
  private disposed = false;
  private readonly probe: Probe<TailedLine>;

  constructor(probes: Probes) {
    this.probe = probes.tail(this.file);
  }

  start(): void {
    const tick = () => {
      const k = this.written.length;
      this.written.push(wallMs());
      writeSync(this.fd, `floor ${k}\n`);
      this.timer = setTimeout(tick, 5 + Math.random() * 25);
    };
    this.timer = setTimeout(tick, 50);
  }

  /** Stops writing and tailing and removes the scratch file; idempotent (for error paths). */
  dispose(): void {
    clearTimeout(this.timer);
    if (this.disposed) return;
    this.disposed = true;
    this.probe.stop();
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stops writing and returns the tail's delays in ms, and when the worst one was (a stall of the host or the probe thread). */
  async stop(): Promise<Distribution & { worstAt: string }> {
    clearTimeout(this.timer);
    await new Promise((r) => setTimeout(r, 100));
    this.dispose();
    const delays: number[] = [];
    let worst = { delay: -Infinity, at: NaN };
    for (const l of this.probe.seen) {
      const k = Number(/^floor (\d+)$/.exec(l.text)?.[1]);
      if (!Number.isInteger(k) || this.written[k] === undefined) continue;
      delays.push(l.at - this.written[k]);
      if (l.at - this.written[k] > worst.delay) worst = { delay: l.at - this.written[k], at: this.written[k] };
    }
    return { ...distribution(delays), worstAt: Number.isNaN(worst.at) ? '' : new Date(worst.at).toISOString() };
  }
}
