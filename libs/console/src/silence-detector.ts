import type { ConsoleEvent, Milestone } from './types';

export interface SilenceWindows {
  /** Nothing at all from the console for this long after capture started: the lab's fault. */
  noOutputMs: number;
  /** The bootloader/firmware handed over and the kernel printed nothing for this long. */
  afterHandoverMs: number;
  /** Output went quiet for this long. */
  stoppedMs: number;
}

export const DEFAULT_SILENCE_WINDOWS: SilenceWindows = {
  noOutputMs: 300_000,
  afterHandoverMs: 120_000,
  stoppedMs: 300_000,
};

export type SilenceKind = 'no-output' | 'no-output-after-handover' | 'output-stopped';

export interface SilenceFinding {
  kind: SilenceKind;
  /**
   * Who is to blame (DESIGN.md): ERROR = the lab (no console at all, or stuck
   * before the kernel got control), FAIL = the kernel (silent after it took
   * over, hung during boot), null = quiet after user space came up, which
   * only the run's own step timeouts can judge.
   */
  verdict: 'ERROR' | 'FAIL' | null;
  /** How long it has been silent, in ms. */
  silentMs: number;
  /** Arrival time (ms) of the last output, or null when there was none. */
  lastOutputAt: number | null;
  message: string;
}

/**
 * Says whether a console has gone silent, and whose fault that is. Pure: it
 * is told when output arrived and which milestones passed, and asked with
 * the current time; it keeps no timers.
 */
export class SilenceDetector {
  private readonly windows: SilenceWindows;
  private firstOutputAt: number | null = null;
  private lastOutputAt: number | null = null;
  private handoverAt: number | null = null;
  private kernelUp = false;
  private userspaceUp = false;

  constructor(
    private readonly startedAt: number,
    windows: Partial<SilenceWindows> = {},
  ) {
    this.windows = { ...DEFAULT_SILENCE_WINDOWS, ...windows };
  }

  /** Console bytes arrived at `at` (ms). Call for every chunk, even a partial line. */
  observeOutput(at: number): void {
    if (this.firstOutputAt === null) this.firstOutputAt = at;
    if (this.lastOutputAt === null || at > this.lastOutputAt) this.lastOutputAt = at;
  }

  observeMilestone(m: Milestone): void {
    const at = m.arrival;
    switch (m.name) {
      case 'firmware':
        // A firmware banner after the kernel was up: the machine rebooted.
        if (this.kernelUp) {
          this.kernelUp = false;
          this.userspaceUp = false;
          this.handoverAt = null;
        }
        break;
      case 'kernel-handover':
        this.handoverAt ??= at;
        break;
      case 'userspace-ready':
        this.userspaceUp = true;
        this.kernelUp = true;
        break;
      default:
        this.handoverAt ??= at;
        this.kernelUp = true;
    }
  }

  /** Convenience: feed ConsoleAnalyzer events directly (milestones and lines). */
  observe(event: ConsoleEvent): void {
    if (event.type === 'milestone') this.observeMilestone(event.milestone);
    else if (event.type === 'line') this.observeOutput(event.line.arrival);
  }

  check(now: number): SilenceFinding | null {
    const w = this.windows;
    if (this.lastOutputAt === null) {
      const silentMs = now - this.startedAt;
      if (silentMs < w.noOutputMs) return null;
      return finding('no-output', 'ERROR', silentMs, null, `no output at all for ${secs(silentMs)} s`);
    }
    const silentMs = now - this.lastOutputAt;
    if (this.handoverAt !== null && !this.kernelUp && silentMs >= w.afterHandoverMs) {
      return finding(
        'no-output-after-handover',
        'FAIL',
        silentMs,
        this.lastOutputAt,
        `no output from the kernel ${secs(now - this.handoverAt)} s after the handover`,
      );
    }
    if (silentMs < w.stoppedMs) return null;
    const verdict = this.userspaceUp ? null : this.handoverAt !== null ? 'FAIL' : 'ERROR';
    return finding('output-stopped', verdict, silentMs, this.lastOutputAt, `output stopped ${secs(silentMs)} s after the last line`);
  }
}

function finding(
  kind: SilenceKind,
  verdict: SilenceFinding['verdict'],
  silentMs: number,
  lastOutputAt: number | null,
  message: string,
): SilenceFinding {
  return { kind, verdict, silentMs, lastOutputAt, message };
}

function secs(ms: number): number {
  return Math.round(ms / 1000);
}
