import { ConsoleAnalyzer, LineAssembler, SilenceDetector, type AnalysisResult, type Milestone } from '@pfnlab/console';
import type { Arch } from '@pfnlab/contracts';

export type BootOutcome =
  | { kind: 'ready'; milestone: Milestone }
  | { kind: 'panic'; header: string; line: number }
  | { kind: 'silent'; verdict: 'FAIL' | 'ERROR'; message: string }
  | { kind: 'timeout'; handover: boolean; message: string }
  | { kind: 'aborted'; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A console line as shipped and stored: raw text (ANSI colours kept for terminals), without NULs and CRs. */
export function storedLine(bytes: Uint8Array, start: number, end: number): string {
  // eslint-disable-next-line no-control-regex
  return utf8.decode(bytes.subarray(start, end)).replace(/[\x00-\x08\x0b-\x0c\x0e-\x1a\x1c-\x1f\x7f]/g, '');
}

/**
 * Watches one boot live: every console chunk goes to the line assembler
 * (for the stored log) and to libs/console's analyzer (milestones, crashes,
 * silence). `outcome()` settles as soon as the evidence exists: user space
 * ready, a panic line (FAIL at once, not at the timeout), silence whose
 * blame the silence rules decide, or the boot step's timeout.
 */
export class BootWatch {
  readonly analyzer: ConsoleAnalyzer;
  private readonly assembler: LineAssembler;
  private silence: SilenceDetector;
  private startedAt = Date.now();
  private settle?: (o: BootOutcome) => void;
  private settled?: BootOutcome;
  private timer?: NodeJS.Timeout;
  private handover = false;
  readonly milestones: Array<Milestone & { at: number }> = [];
  kernelVersion: string | null = null;
  private watching = false;
  private analysis?: AnalysisResult;
  /** Whether console bytes go to the analysis (see hold() and begin()). */
  private analyzing: boolean;

  constructor(private readonly opts: { arch: Arch; readyMarkers: string[]; silenceMs: number; noOutputMs: number; onLine: (line: string) => void }) {
    this.analyzer = new ConsoleAnalyzer({ arch: opts.arch, readyMarkers: opts.readyMarkers });
    this.assembler = new LineAssembler((bytes, s, e) => opts.onLine(storedLine(bytes, s, e)));
    this.silence = this.silenceFrom(this.startedAt);
    this.analyzing = true;
    this.analyzer.on((ev) => {
      if (ev.type === 'milestone') {
        const m = ev.milestone;
        this.silence.observeMilestone(m);
        this.milestones.push({ ...m, at: (m.arrival - this.startedAt) / 1000 });
        if (m.name === 'kernel-handover' || m.name === 'linux-version') this.handover = true;
        if (m.name === 'linux-version' && m.detail) this.kernelVersion = m.detail;
        if (m.name === 'userspace-ready' && this.watching) this.finish({ kind: 'ready', milestone: m });
      } else if (ev.type === 'crash-start' && ev.crashType === 'PANIC' && this.watching) {
        this.finish({ kind: 'panic', header: ev.line.body, line: ev.line.seq });
      }
    });
  }

  private silenceFrom(t: number): SilenceDetector {
    return new SilenceDetector(t, { noOutputMs: this.opts.noOutputMs, afterHandoverMs: this.opts.silenceMs, stoppedMs: this.opts.silenceMs });
  }

  /** Console bytes from now on are logged only, until begin(). */
  hold(): void {
    this.analyzing = false;
  }

  /**
   * Starts the analysis now, for boot methods that start from the machine's
   * running OS: until the hand-over the console shows the known-good OS
   * (logged, not judged: its ready marker is not the test kernel's).
   */
  begin(): void {
    if (this.analyzing) return;
    this.analyzing = true;
    this.restartClock();
  }

  /**
   * The silence clocks start now: at power-on, not when the console opened,
   * so a deploy step that took long (a kernel built for the run) does not
   * count as a machine that printed nothing.
   */
  restartClock(): void {
    this.startedAt = Date.now();
    this.silence = this.silenceFrom(this.startedAt);
  }

  /** Console bytes, as they arrive. */
  push(chunk: Buffer): void {
    const now = Date.now();
    this.assembler.push(chunk, now);
    // After the verdict the console goes on (recovery boots) into the log, not into the analysis.
    if (this.analysis || !this.analyzing) return;
    this.silence.observeOutput(now);
    this.analyzer.push(chunk, now);
  }

  /** Starts judging (after power-on); settles on the first decisive evidence or after `timeoutMs`. */
  outcome(timeoutMs: number, signal: AbortSignal): Promise<BootOutcome> {
    this.watching = true;
    const seen = this.milestones.find((m) => m.name === 'userspace-ready');
    if (seen) return Promise.resolve({ kind: 'ready', milestone: seen });
    return new Promise((resolve) => {
      this.settle = resolve;
      const deadline = Date.now() + timeoutMs;
      signal.addEventListener('abort', () => this.finish({ kind: 'aborted', message: String(signal.reason ?? 'canceled') }), { once: true });
      this.timer = setInterval(() => {
        const now = Date.now();
        this.analyzer.tick(now);
        const quiet = this.silence.check(now);
        if (quiet?.verdict) return this.finish({ kind: 'silent', verdict: quiet.verdict, message: quiet.message });
        if (now >= deadline) {
          this.finish({
            kind: 'timeout',
            handover: this.handover,
            message: this.handover ? `the kernel did not reach user space within ${Math.round(timeoutMs / 1000)} s` : `no kernel started within ${Math.round(timeoutMs / 1000)} s`,
          });
        }
      }, 100);
    });
  }

  private finish(o: BootOutcome): void {
    if (this.settled) return;
    this.settled = o;
    clearInterval(this.timer);
    this.settle?.(o);
  }

  /** Closes the analysis (open reports are complete); lines still go to the log. Idempotent. */
  end(): AnalysisResult {
    clearInterval(this.timer);
    this.analysis ??= this.analyzer.end();
    return this.analysis;
  }

  /** End of the console: the last partial line is logged too. */
  close(): void {
    this.end();
    this.assembler.end();
  }
}
