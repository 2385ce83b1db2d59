import type { HeaderMatch } from './crash-kinds';
import { isBodyMarker, isDumpEvidence, isEndMarker, isReportLike, isSeparator, isTraceStart } from './report-lines';
import type { ConsoleLine } from './types';

export const MAX_REPORT_LINES = 1000;
/** Consecutive non-report lines after which a report without end marker is over. */
const UNRELATED_RUN = 3;
/** A tentative header or a lone `[ cut here ]` must be confirmed within this many lines. */
const CONFIRM_WINDOW = 8;
/** Header lines of one report further apart than this (printk seconds) are two crashes. */
const HEAD_GAP_SECONDS = 5;

export interface HeaderHit extends HeaderMatch {
  line: ConsoleLine;
}

export type LineVerdict = 'continue' | 'end-after' | 'end-before';

/**
 * One crash report being collected: its header candidates, its lines, and
 * where it stands (header part or dump part, call trace seen or not).
 */
export class CrashReport {
  readonly hits: HeaderHit[] = [];
  readonly lines: ConsoleLine[] = [];
  /** Lines that do not look like report lines yet; kept only if the report goes on. */
  private tail: ConsoleLine[] = [];
  private readonly seen = new Set<string>();
  phase: 'head' | 'body' = 'head';
  traceSeen = false;
  confirmed = false;
  /** crash-start was emitted for it (for its panic line). */
  announced = false;
  panicAnnounced = false;
  endLine: number;
  lastArrival: number;
  /** printk time of the last line that had one. */
  lastTime: number | null = null;

  constructor(
    readonly caller: string | null,
    first: ConsoleLine,
    hit: HeaderHit | null,
  ) {
    this.endLine = first.endSeq;
    this.lastArrival = first.arrival;
    if (hit) this.hits.push(hit);
    this.addLine(first);
    if (hit && (hit.kind.role === 'report' || hit.kind.role === 'oops' || hit.kind.role === 'panic')) {
      this.confirmed = true;
    }
    this.observe(first.body);
  }

  get startLine(): number {
    return this.lines[0].seq;
  }

  /** The kind whose header names the crash: the first real report header, else an Oops line, else a panic. */
  primary(): HeaderHit | null {
    return (
      this.hits.find((h) => h.kind.role === 'report') ??
      this.hits.find((h) => h.kind.role === 'oops') ??
      this.hits.find((h) => h.kind.role === 'panic') ??
      this.hits.find((h) => h.kind.role === 'tentative') ??
      null
    );
  }

  get anyCaller(): boolean {
    return this.hits.some((h) => h.kind.anyCaller);
  }

  /** Does a new header line belong to this report, rather than start another crash? */
  absorbs(hit: HeaderHit): boolean {
    const role = hit.kind.role;
    if (role === 'panic') return true;
    if (this.hits.length === 0) return false; // a header ends a header-less fragment
    if (!this.traceSeen && this.hits.some((h) => h.line.body === hit.line.body)) return true; // xmon repeats the BUG line
    if (this.phase !== 'head') return false;
    // A report prints its header lines within milliseconds.
    if (hit.line.time !== null && this.lastTime !== null && hit.line.time - this.lastTime > HEAD_GAP_SECONDS) return false;
    if (role === 'marker') return this.hits.every((h) => h.kind.role !== 'marker');
    if (role !== 'report') return true;
    const decisive = this.hits.filter((h) => h.kind.role === 'report');
    if (decisive.length === 0) return true;
    const mine = decisive.map((h) => h.kind.pairsAs);
    const theirs = hit.kind.pairsAs;
    return theirs !== undefined && mine.every((f) => f !== undefined && f !== theirs);
  }

  addHeader(hit: HeaderHit): void {
    this.hits.push(hit);
    if (hit.kind.role !== 'marker' && hit.kind.role !== 'tentative') this.confirmed = true;
    this.keep(hit.line);
  }

  /** Adds an ordinary line and says whether the report goes on. */
  add(line: ConsoleLine): LineVerdict {
    if (this.full()) return 'end-before';
    const body = line.body;
    this.observe(body);
    if (isEndMarker(body)) {
      this.keep(line);
      return 'end-after';
    }
    const kind = this.primary()?.kind;
    if (isSeparator(body) && kind?.endsAtSeparator && this.phase === 'body') {
      this.keep(line);
      return 'end-after';
    }
    if (!this.confirmed && line.seq - this.startLine > CONFIRM_WINDOW) return 'end-before';
    // Kinds with a small line cap (build errors) keep whatever follows: it is their continuation.
    if (kind?.maxLines !== undefined || isReportLike(body, line.text)) {
      this.keep(line);
    } else {
      this.tail.push(line);
      if (this.tail.length >= UNRELATED_RUN) return 'end-before';
    }
    return this.full() ? 'end-after' : 'continue';
  }

  /** The kind's line cap is reached (one-line reports are full at once). */
  full(): boolean {
    return this.lines.length >= (this.primary()?.kind.maxLines ?? MAX_REPORT_LINES);
  }

  /** Header hit or report-like line: part of the report, and so is the tail before it. */
  private keep(line: ConsoleLine): void {
    for (const t of this.tail) this.addLine(t);
    this.tail = [];
    this.addLine(line);
    this.endLine = line.endSeq;
  }

  private addLine(line: ConsoleLine): void {
    this.lastArrival = line.arrival;
    if (line.time !== null) this.lastTime = line.time;
    // A timestamped line seen twice is a second console echoing the first.
    if (line.time !== null) {
      if (this.seen.has(line.text)) return;
      this.seen.add(line.text);
    }
    if (this.lines.length < MAX_REPORT_LINES) this.lines.push(line);
  }

  private observe(body: string): void {
    if (this.phase === 'head' && isBodyMarker(body)) this.phase = 'body';
    if (!this.traceSeen && isTraceStart(body)) this.traceSeen = true;
    if (!this.confirmed && isDumpEvidence(body)) this.confirmed = true;
  }

  /** Has the report shown a kernel dump (needed to report one without a header)? */
  hasDumpEvidence(): boolean {
    return this.lines.some((l) => isDumpEvidence(l.body));
  }
}
