import type { Arch } from '@pfnlab/contracts';
import { archPrefixes, ArchDetector } from './arch-detector';
import { BootMilestoneTracker } from './boot-milestones';
import { looksLikeBuildBytes } from './build-shape';
import { CrashDetector } from './crash-detector';
import { crashPrefixes } from './crash-kinds';
import { LineAssembler } from './line-assembler';
import { decodeLine } from './line-cleaner';
import { MailWrapJoiner } from './mail-wrap-joiner';
import { PrefixIndex } from './prefix-index';
import { bodyOffset, parsePrintkPrefix } from './printk-prefix';
import type { AnalysisResult, ConsoleEvent, ConsoleEventListener, ConsoleLine } from './types';

export interface ConsoleAnalyzerOptions {
  /** The machine's arch, when known: no guessing then. */
  arch?: Arch;
  /** Line beginnings (printable ASCII) that mean "user space is up", besides login and shell prompts. */
  readyMarkers?: readonly string[];
  /** Longer lines are split (default 4096 bytes). */
  maxLineBytes?: number;
  /** Emit a `line` event for every line (live views). Costs the fast path. */
  emitLines?: boolean;
  onEvent?: ConsoleEventListener;
}

const encoder = new TextEncoder();
/** How long `tick()` lets a line ending in a space wait for its mail-wrapped continuation. */
const WRAP_WAIT_MS = 2_000;

/**
 * The console's intelligence: fed raw bytes as they arrive (live, from the
 * agent) or a file chunk by chunk (offline, CLI and server), it assembles
 * lines, records boot milestones, detects the arch and the crashes, and
 * emits events. No I/O, no timers: callers pass arrival times and call
 * `tick(now)` when they want idle reports closed.
 *
 * Speed: most lines of a big log are neither crash nor milestone lines. A
 * line is decoded only when its first bytes after the printk prefix match a
 * known header/milestone beginning (PrefixIndex), when it looks like build
 * tool output, or while a report is open; the others cost a table lookup.
 */
export class ConsoleAnalyzer {
  private readonly assembler: LineAssembler;
  private readonly prefilter: PrefixIndex;
  private readonly archIndex = sharedIndex('arch', archPrefixes);
  private readonly milestoneIndex: PrefixIndex;
  private readonly joiner: MailWrapJoiner;
  private readonly archDetector: ArchDetector;
  private readonly milestones: BootMilestoneTracker;
  private readonly detector: CrashDetector;
  private readonly listeners: ConsoleEventListener[] = [];
  private readonly emitLines: boolean;
  /**
   * The last skipped line, when it ends with a space: a wrapped header may
   * follow. Kept as a reference into the chunk, copied only if the chunk is
   * done with before the next line came.
   */
  private readonly wrapBytes: Uint8Array;
  private wrapRef: Uint8Array | null = null;
  private wrapStart = 0;
  private wrapEnd = 0;
  private wrapSeq = -1;
  private wrapArrival = 0;
  private chunk: Uint8Array | null = null;
  /** See refreshMode(). */
  private everyLine = true;
  private lastArrival = 0;
  private ended = false;

  constructor(options: ConsoleAnalyzerOptions = {}) {
    this.emitLines = !!options.emitLines;
    if (options.onEvent) this.listeners.push(options.onEvent);
    this.archDetector = new ArchDetector(options.arch);
    this.milestones = new BootMilestoneTracker(options.readyMarkers ?? []);
    const custom = (options.readyMarkers ?? []).length > 0;
    const milestonePrefixes = () => this.milestones.prefixes();
    this.milestoneIndex = custom ? new PrefixIndex(milestonePrefixes()) : sharedIndex('milestones', milestonePrefixes);
    const all = () => [...crashPrefixes(), ...milestonePrefixes(), ...archPrefixes()];
    this.prefilter = custom ? new PrefixIndex(all()) : sharedIndex('prefilter', all);
    this.detector = new CrashDetector({ arch: () => this.archDetector.arch, emit: (e) => this.emit(e) });
    this.joiner = new MailWrapJoiner({
      isHeader: (body) => this.detector.isHeader(body),
      inReport: (line) => this.detector.isInReport(line),
    });
    this.assembler = new LineAssembler(this.onRange, { maxLineBytes: options.maxLineBytes });
    this.wrapBytes = new Uint8Array(Math.max(16, options.maxLineBytes ?? 4096));
  }

  /** Subscribes to events (milestones, arch, crash-start, crash, crash-repeat, lines). */
  on(listener: ConsoleEventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Feeds console output. `arrival` is the time (ms) the bytes arrived. */
  push(chunk: Uint8Array | string, arrival = 0): void {
    if (this.ended) throw new Error('ConsoleAnalyzer: push() after end()');
    this.lastArrival = arrival;
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    this.chunk = bytes;
    this.assembler.push(bytes, arrival);
    this.chunk = null;
    if (this.wrapRef === bytes) this.keepWrapCandidate();
    if (!this.milestones.readyInCurrentBoot) this.checkPendingPrompt(arrival);
  }

  /**
   * For live use: releases a line held for a possible mail-wrap continuation
   * and closes reports that saw no new line for `reportIdleMs`.
   */
  tick(now: number, reportIdleMs = 10_000): void {
    if (this.joiner.holding && now - this.lastArrival >= WRAP_WAIT_MS) {
      this.joiner.flush(this.processLine);
    }
    this.detector.finishIdle(now - reportIdleMs);
    this.refreshMode();
  }

  /** End of input: the last partial line counts, open reports are complete. */
  end(): AnalysisResult {
    if (!this.ended) {
      this.assembler.end();
      this.joiner.flush(this.processLine);
      this.detector.end();
      this.ended = true;
    }
    return this.result();
  }

  /** What has been found so far (crashes still being collected are not in it). */
  result(): AnalysisResult {
    const arch = this.archDetector.arch;
    return {
      arch,
      kernelVersion: this.milestones.kernelVersion,
      lines: this.assembler.lines,
      milestones: [...this.milestones.milestones],
      crashes: this.detector.crashes().map((c) => (c.arch === 'unknown' && arch !== 'unknown' ? { ...c, arch } : c)),
    };
  }

  get lines(): number {
    return this.assembler.lines;
  }

  private readonly onRange = (
    b: Uint8Array,
    start: number,
    end: number,
    seq: number,
    arrival: number,
    overlong: boolean,
  ): void => {
    if (!this.everyLine && !this.interesting(b, start, end, seq)) {
      if (end > start && b[end - 1] === 0x20) {
        this.wrapRef = b;
        this.wrapStart = start;
        this.wrapEnd = end;
        this.wrapSeq = seq;
        this.wrapArrival = arrival;
        if (b !== this.chunk) this.keepWrapCandidate(); // the assembler's carry buffer: copy now
      }
      return;
    }
    if (this.wrapSeq === seq - 1 && this.wrapRef) {
      this.wrapSeq = -1;
      this.onText(decodeLine(this.wrapRef, this.wrapStart, this.wrapEnd), seq - 1, this.wrapArrival, false);
    }
    this.onText(decodeLine(b, start, end), seq, arrival, overlong);
    this.refreshMode();
  };

  /** Every line must be decoded while a report is open, a wrapped line is held, or lines are emitted. */
  private refreshMode(): void {
    this.everyLine = this.emitLines || this.detector.busy || this.joiner.holding;
  }

  private keepWrapCandidate(): void {
    const ref = this.wrapRef!;
    const len = this.wrapEnd - this.wrapStart;
    for (let i = 0; i < len; i++) this.wrapBytes[i] = ref[this.wrapStart + i];
    this.wrapRef = this.wrapBytes;
    this.wrapStart = 0;
    this.wrapEnd = len;
  }

  /** The hot-path prefilter, on raw bytes. */
  private interesting(b: Uint8Array, start: number, end: number, seq: number): boolean {
    if (end === start) return false;
    const c = b[start];
    // The usual "[%5lu.%06lu] message" line, checked inline.
    if (c === 0x5b && b[start + 6] === 0x2e && b[start + 13] === 0x5d && b[start + 14] === 0x20) {
      const q = start + 15;
      const d = b[q];
      if (d !== 0x5b && d !== 0x20 && d !== 0x09 && d !== 0x3c) {
        return this.prefilter.matchesBytes(b, q, end) || (!this.milestones.readyInCurrentBoot && promptShape(b, q, end));
      }
    }
    if ((c < 0x20 && c !== 0x09) || c >= 0x80) return true; // escapes, garbage, mangled "¢ 12.3!"
    const p = bodyOffset(b, start, end);
    if (this.prefilter.matchesBytes(b, p, end)) return true;
    if (c !== 0x5b) {
      // No printk timestamp: build tool output, or a mail-wrapped continuation.
      if (looksLikeBuildBytes(b, p, end) || this.wrapSeq === seq - 1) return true;
    }
    return !this.milestones.readyInCurrentBoot && promptShape(b, p, end);
  }

  private onText(text: string, seq: number, arrival: number, overlong: boolean): void {
    const pre = parsePrintkPrefix(text);
    const line: ConsoleLine = {
      seq,
      endSeq: seq,
      arrival,
      text,
      body: pre.body,
      time: pre.time,
      caller: pre.caller,
      overlong,
    };
    this.joiner.push(line, this.processLine);
  }

  private readonly processLine = (line: ConsoleLine): void => {
    if (this.emitLines) this.emit({ type: 'line', line });
    if (this.archIndex.matchesString(line.body)) {
      const arch = this.archDetector.observe(line.body);
      if (arch) this.emit({ type: 'arch', arch });
    }
    if (!this.milestones.readyInCurrentBoot || this.milestoneIndex.matchesString(line.body)) {
      for (const milestone of this.milestones.observe(line)) this.emit({ type: 'milestone', milestone });
    }
    this.detector.onLine(line);
  };

  /** A prompt waits for input without a newline: look at the unterminated line. */
  private checkPendingPrompt(arrival: number): void {
    const pending = this.assembler.pending();
    const n = pending.length;
    // A prompt waiting for input ends with a space ("login: ", "# ").
    if (n < 2 || n > 256 || pending[n - 1] !== 0x20 || !promptShape(pending, 0, n)) return;
    const text = decodeLine(pending, 0, n);
    const pre = parsePrintkPrefix(text);
    const seq = this.assembler.lines + 1;
    const line: ConsoleLine = { seq, endSeq: seq, arrival, text, body: pre.body, time: pre.time, caller: pre.caller, overlong: false };
    const milestone = this.milestones.observePrompt(line);
    if (milestone) this.emit({ type: 'milestone', milestone });
  }

  private emit(event: ConsoleEvent): void {
    for (const l of this.listeners) l(event);
  }
}

// The prefix tables are the same for every analyzer without custom markers:
// build them once (an agent runs one analyzer per console).
const SHARED = new Map<string, PrefixIndex>();
function sharedIndex(name: string, prefixes: () => string[]): PrefixIndex {
  let index = SHARED.get(name);
  if (!index) {
    index = new PrefixIndex(prefixes());
    SHARED.set(name, index);
  }
  return index;
}

/** Ends like a login or shell prompt ("login: ", "# ", "$"), or starts like "user@host:". */
function promptShape(b: Uint8Array, start: number, end: number): boolean {
  let e = end;
  while (e > start && b[e - 1] === 0x20) e--;
  const last = b[e - 1];
  if (last === 0x3a || last === 0x23 || last === 0x24 || last === 0x29) return true;
  const lim = Math.min(end, start + 64);
  for (let i = start + 1; i < lim; i++) {
    const c = b[i];
    if (c === 0x40) return true; // '@'
    if (c === 0x20) return false;
  }
  return false;
}
