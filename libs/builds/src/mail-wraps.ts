import type { LineMatch } from './build-log-patterns';
import type { LogLine } from './build-log-text';

/** A diagnostic as the tool printed it: one or more physical lines joined back. */
export interface LogicalLine extends LogLine {
  /** Last physical line it was made of. */
  endLineNo: number;
  match: LineMatch | null;
}

// A message cut before its end: the mailer kept the space ("left operand of "),
// or reflowed and left a word that cannot end a gcc/ld message.
const DANGLING = /(?:[ \t]|\b(?:for|of|to|in|from|with|as|at|by|on|the|a|an|and|or|than|previous|between|before|after))$/;
const DIAGNOSTIC_ROLES = new Set(['error', 'fallback', 'warning', 'note']);
// A diagnostic that a reflowing mailer pulled into the middle of a line.
const EMBEDDED = /(?:^|\s)(?:fatal error|error|warning|note): /;
const LOCATION = /^[\w./+-]{1,240}:\d{1,7}(?::\d{1,5})?$/;
/** How many physical lines one diagnostic may be re-joined from. */
const MAX_JOINS = 4;

/**
 * Repairs what mail did to a quoted build log. A mailer wraps a long line at
 * a space ("...left operand of " / "assignment"); a reflowing one also moves
 * words across lines, so that the next diagnostic starts in the middle of a
 * line ("‘arch_remove_memory’ include/linux/memory_hotplug.h:88: error: previous").
 * A line is joined to the diagnostic before it only when that diagnostic
 * looks cut (trailing blank, or a last word that cannot end a message) and
 * the line is unindented plain text (not a source excerpt, not another
 * diagnostic); an embedded diagnostic is split off as a line of its own.
 */
export function repairMailWraps(lines: readonly LogLine[], classify: (text: string) => LineMatch | null): LogicalLine[] {
  const out: LogicalLine[] = [];
  let joins = 0;
  for (const l of lines) {
    const match = classify(l.text);
    const prev = out[out.length - 1];
    if (prev && joins < MAX_JOINS && match === null && canContinue(prev, l)) {
      const cut = embeddedStart(l.text);
      const head = cut < 0 ? l.text : l.text.slice(0, cut);
      prev.text = (/[ \t]$/.test(prev.text) ? prev.text : `${prev.text} `) + head.trim();
      prev.match = classify(prev.text);
      prev.endLineNo = l.lineNo;
      joins++;
      if (cut >= 0) {
        const rest = l.text.slice(cut);
        out.push({ ...l, text: rest, endLineNo: l.lineNo, match: classify(rest) });
        joins = 0;
      }
      continue;
    }
    out.push({ ...l, endLineNo: l.lineNo, match });
    joins = 0;
  }
  return out;
}

function canContinue(prev: LogicalLine, next: LogLine): boolean {
  if (!prev.match || !DIAGNOSTIC_ROLES.has(prev.match.role) || next.lldNote) return false;
  const c = next.text.charCodeAt(0);
  if (next.text.length === 0 || c === 0x20 || c === 0x09) return false;
  return DANGLING.test(prev.text);
}

/** Where a diagnostic (`path:line[:col]: error: `) starts inside a line, or -1. */
function embeddedStart(text: string): number {
  const m = EMBEDDED.exec(text.length > 1024 ? text.slice(0, 1024) : text);
  if (!m) return -1;
  // the location token ends just before the ": severity" part
  const before = text.slice(0, m.index).replace(/:$/, '');
  const start = Math.max(before.lastIndexOf(' '), before.lastIndexOf('\t')) + 1;
  if (start === 0 || !LOCATION.test(before.slice(start))) return -1;
  return start;
}
