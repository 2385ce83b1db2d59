import { hasPrintkPrefix } from './printk-prefix';
import type { ConsoleLine } from './types';

export interface MailWrapContext {
  /** Is this body a crash header (a line of its own, never a continuation)? */
  isHeader(body: string): boolean;
  /** Is this line inside a crash report being collected? */
  inReport(line: ConsoleLine): boolean;
}

// Lines that always start anew, whatever the previous line ended with.
const FRESH_START = /^(?:Call [Tt]race:|Krnl |Modules linked in|CPU: |Hardware name|Code: |---\[|\[ *\d+\.\d+\])/;

/**
 * Re-joins console lines that a mail client wrapped: the mailer breaks at a
 * space and leaves it at the end of the first part, and the continuation has
 * no printk timestamp ("...dereference in virtual " / "kernel address space").
 * Only lines with a timestamp, or lines of a crash report, are joined: a
 * kernel line rarely ends with a space, report context makes the rest safe.
 * A line ending with a space is held until the next line says what it was.
 */
export class MailWrapJoiner {
  private held: ConsoleLine | null = null;

  constructor(private readonly context: MailWrapContext) {}

  get holding(): boolean {
    return this.held !== null;
  }

  /** Feeds a line; `out` receives the lines that are complete now (0, 1 or 2). */
  push(line: ConsoleLine, out: (line: ConsoleLine) => void): void {
    let current = line;
    if (this.held) {
      const prev = this.held;
      this.held = null;
      if (this.joins(prev, line)) current = join(prev, line);
      else out(prev);
    }
    if (endsWithSpace(current.text) && this.mayWrap(current)) this.held = current;
    else out(current);
  }

  /** Releases a held line (end of input, or nothing came for a while). */
  flush(out: (line: ConsoleLine) => void): void {
    const h = this.held;
    this.held = null;
    if (h) out(h);
  }

  private mayWrap(line: ConsoleLine): boolean {
    return line.time !== null || this.context.isHeader(line.body) || this.context.inReport(line);
  }

  private joins(prev: ConsoleLine, next: ConsoleLine): boolean {
    if (next.text.trim() === '' || hasPrintkPrefix(next.text)) return false;
    if (prev.body.trim() === '') return true; // only a timestamp before the wrap
    return !FRESH_START.test(next.body) && !this.context.isHeader(next.body);
  }
}

function endsWithSpace(text: string): boolean {
  const c = text.charCodeAt(text.length - 1);
  return c === 0x20 || c === 0x09;
}

function join(prev: ConsoleLine, next: ConsoleLine): ConsoleLine {
  const text = prev.text + next.text;
  return {
    ...prev,
    endSeq: next.endSeq,
    text,
    body: prev.body === '' ? next.text.trimStart() : prev.body + next.text,
    overlong: prev.overlong || next.overlong,
  };
}
