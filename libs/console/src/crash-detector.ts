import { archOfLine } from './arch-detector';
import type { BuildContext, CrashKind, TitleParts } from './crash-kind';
import { crashKindById, matchHeader } from './crash-kinds';
import { CrashDeduper } from './crash-deduper';
import { CrashReport, type HeaderHit } from './crash-report';
import { formatCrashTitle } from './crash-title';
import { guiltyFrame } from './guilty-frame';
import { isReportLike } from './report-lines';
import type { ArchOrUnknown, ConsoleEvent, ConsoleLine, Crash } from './types';

/** A report's text is cut beyond this (memory stays bounded with many distinct crashes). */
const MAX_REPORT_CHARS = 64 * 1024;
/** A panic this close after a crash is that crash's consequence (panic_on_oops/panic_on_warn). */
const PANIC_FOLLOW_LINES = 100;
/** Reports collected at once (one per printk caller id). */
const MAX_ACTIVE_REPORTS = 16;

/** A report whose header was lost (the log starts in its middle, or bytes were dropped). */
const HEADLESS: CrashKind = {
  id: 'unknown',
  prefixes: [],
  header: /(?!)/,
  role: 'report',
  title: 'unknown crash in {frame}',
  type: 'UNKNOWN',
  frame: { from: ['report'] },
};

export interface CrashDetectorOptions {
  /** The console's arch as known so far (for crashes whose own lines do not tell). */
  arch: () => ArchOrUnknown;
  emit: (event: ConsoleEvent) => void;
}

/**
 * Turns console lines into crashes: recognises headers (see crash-kinds.ts),
 * collects each report per printk caller id, decides where it ends, and
 * titles it. Pure: fed lines, emits events.
 */
export class CrashDetector {
  private readonly reports = new Map<string, CrashReport>();
  private readonly deduper = new CrashDeduper();
  private buildContext: BuildContext | null = null;
  /** Until the first report or plain line: a log may start in the middle of a report. */
  private atStart = true;
  private last: { crash: Crash; endLine: number; first: boolean } | null = null;

  constructor(private readonly options: CrashDetectorOptions) {}

  /** True while every line must be looked at (a report is open, or the log just started). */
  get busy(): boolean {
    return this.reports.size > 0 || this.atStart;
  }

  /** Is this body a crash header (for the mail-wrap joiner)? */
  isHeader(body: string): boolean {
    return matchHeader(body) !== null;
  }

  isInReport(line: ConsoleLine): boolean {
    return this.reports.has(line.caller ?? '');
  }

  onLine(line: ConsoleLine): void {
    const found = matchHeader(line.body);
    const hit: HeaderHit | null = found ? { ...found, line } : null;
    if (hit?.kind.role === 'context') this.buildContext = { file: hit.match[1], func: hit.match[2] };
    const header = hit && hit.kind.role !== 'context' ? hit : null;
    const key = line.caller ?? '';
    const report = this.reports.get(key) ?? this.anyCallerReport();
    if (report) {
      if (header) {
        if (report.absorbs(header)) {
          report.addHeader(header);
          this.announce(report, header);
          if (report.full()) this.finish(report);
          return;
        }
        this.finish(report);
      } else {
        const verdict = report.add(line);
        if (verdict === 'continue') return;
        this.finish(report);
        if (verdict === 'end-after') return;
      }
    }
    if (header) {
      this.open(key, line, header);
    } else if (this.atStart && line.body !== '') {
      if (isReportLike(line.body, line.text)) this.open(key, line, null);
      else this.atStart = false;
    }
  }

  /** Finishes reports that have been silent since `before` (ms); for live use. */
  finishIdle(before: number): void {
    for (const r of [...this.reports.values()]) if (r.lastArrival <= before) this.finish(r);
  }

  /** End of input: every open report is complete as it is. */
  end(): void {
    const open = [...this.reports.values()].sort((a, b) => a.startLine - b.startLine);
    for (const r of open) this.finish(r);
    this.atStart = false;
  }

  crashes(): Crash[] {
    return this.deduper.crashes();
  }

  private anyCallerReport(): CrashReport | undefined {
    for (const r of this.reports.values()) if (r.anyCaller) return r;
    return undefined;
  }

  private open(key: string, line: ConsoleLine, hit: HeaderHit | null): void {
    if (this.reports.size >= MAX_ACTIVE_REPORTS) {
      const oldest = [...this.reports.values()].sort((a, b) => a.startLine - b.startLine)[0];
      this.finish(oldest);
    }
    this.atStart = false;
    const report = new CrashReport(line.caller, line, hit);
    this.reports.set(key, report);
    if (hit) this.announce(report, hit);
    if (report.full()) this.finish(report);
  }

  /**
   * `crash-start` once per report at its first real header, and once more for
   * a `Kernel panic` line inside it: live users decide FAIL on those at once.
   */
  private announce(report: CrashReport, hit: HeaderHit): void {
    const role = hit.kind.role;
    if (role === 'panic') {
      if (report.panicAnnounced) return;
      report.panicAnnounced = true;
    } else if (report.announced || (role !== 'report' && role !== 'oops')) {
      return;
    }
    report.announced = true;
    this.options.emit({ type: 'crash-start', kind: hit.kind.id, crashType: headerType(hit), line: hit.line });
  }

  private finish(report: CrashReport): void {
    for (const [k, r] of this.reports) if (r === report) this.reports.delete(k);
    this.atStart = false;
    const crash = this.toCrash(report);
    if (!crash) return;
    const primary = report.primary();
    if (primary?.kind.role === 'panic' && this.last && this.last.crash.type !== 'PANIC') {
      if (report.startLine - this.last.endLine <= PANIC_FOLLOW_LINES) {
        // The panic is how the previous crash ended; it is not a bug of its own.
        if (this.last.first) {
          this.last.crash.endLine = crash.endLine;
          if (this.last.crash.report.length < MAX_REPORT_CHARS) this.last.crash.report += `\n${crash.report}`;
        }
        this.last.endLine = crash.endLine;
        return;
      }
    }
    const header = primary?.line ?? report.lines[0];
    const { crash: kept, outcome } = this.deduper.add(crash, header.text, header.time !== null);
    this.last = { crash: kept, endLine: crash.endLine, first: outcome === 'new' };
    if (outcome === 'new') this.options.emit({ type: 'crash', crash: kept });
    else if (outcome === 'repeat') this.options.emit({ type: 'crash-repeat', crash: kept });
  }

  private toCrash(report: CrashReport): Crash | null {
    const primary = report.primary();
    if (!primary && !report.hasDumpEvidence()) return null; // a lone "cut here", or noise at the start
    if (primary?.kind.role === 'tentative' && !report.confirmed) return null;
    let kind = primary?.kind ?? HEADLESS;
    const match = primary?.match ?? (Object.assign([''], { index: 0, input: '' }) as unknown as RegExpExecArray);
    for (const r of kind.refine ?? []) {
      if (r.when.test(primary!.line.body)) {
        kind = crashKindById(r.use);
        break;
      }
    }
    const from = primary ? Math.max(0, report.lines.indexOf(primary.line)) : -1;
    const bodies = report.lines.slice(from + 1).map((l) => l.body);
    const own = report.lines.slice(Math.max(0, from)).map((l) => l.body);
    const frame = kind.frameOf ? kind.frameOf(match, own, this.buildContext) : guiltyFrame(kind, match, bodies);
    const detail = kind.detail ? firstGroup(kind.detail, bodies) : '';
    const parts: TitleParts = { groups: match, detail, frame, lines: own };
    const needsFrame = typeof kind.title === 'string' && kind.title.includes('{frame}');
    const corrupted = !primary || (needsFrame && frame === null) || !!kind.alwaysCorrupted;
    const first = report.lines[0];
    return {
      title: formatCrashTitle(kind, parts, corrupted),
      type: typeof kind.type === 'function' ? kind.type(parts) : kind.type,
      frame: corrupted ? null : frame,
      corrupted,
      arch: archOfReport(report.lines) ?? this.options.arch(),
      startLine: first.seq,
      endLine: report.endLine,
      count: 1,
      time: first.time,
      arrival: first.arrival,
      header: (primary?.line ?? first).body,
      report: reportText(report.lines),
      kind: kind.id,
    };
  }
}

/** The type as far as the header alone tells (a KASAN access kind comes on the next line). */
function headerType(hit: HeaderHit) {
  const t = hit.kind.type;
  return typeof t === 'function' ? t({ groups: hit.match, detail: '', frame: null, lines: [hit.line.body] }) : t;
}

function reportText(lines: readonly ConsoleLine[]): string {
  const text = lines.map((l) => l.text).join('\n');
  return text.length <= MAX_REPORT_CHARS ? text : `${text.slice(0, MAX_REPORT_CHARS)}\n[... report cut at ${MAX_REPORT_CHARS} characters]`;
}

function firstGroup(re: RegExp, bodies: readonly string[]): string {
  for (const b of bodies) {
    const m = re.exec(b);
    if (m) return m[1] ?? '';
  }
  return '';
}

function archOfReport(lines: readonly ConsoleLine[]): ArchOrUnknown | null {
  let weak: ArchOrUnknown | null = null;
  for (const l of lines) {
    const a = archOfLine(l.body);
    if (a?.strong) return a.arch;
    if (a && !weak) weak = a.arch;
  }
  return weak;
}
