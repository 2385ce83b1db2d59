import * as path from 'path';
import type { Arch } from '@pfnlab/contracts';
import type { CrashType } from '@pfnlab/console';

/** The shared fixtures, beside the repository (../shared). */
export const LKML_FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/console/lkml');

/**
 * Writes kernel console text the way printk does: each line of `block` gets
 * a "[%5lu.%06lu]" timestamp, starting at `start` seconds and 13 µs apart.
 * The block's first line and its common indentation are stripped, so tests
 * can indent report text with the code. `{caller}` adds a caller id.
 */
export function klog(start: number, block: string, caller?: string): string {
  const lines = dedent(block);
  let t = start;
  return lines
    .map((l) => {
      const stamp = `[${t.toFixed(6).padStart(12)}]`;
      t += 0.000013;
      const id = caller ? `[${caller.padStart(7)}]` : '';
      return `${stamp}${id} ${l}`;
    })
    .join('\n')
    .concat('\n');
}

/** The same block without timestamps (consoles with printk.time=0). */
export function plain(block: string): string {
  return dedent(block).join('\n').concat('\n');
}

/** Strips the first line's indentation from every line (less-indented lines lose all of theirs). */
function dedent(block: string): string[] {
  const lines = block.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const indent = lines.find((l) => l.trim())!.match(/^ */)![0].length;
  return lines.map((l) => l.slice(Math.min(indent, l.match(/^ */)![0].length)));
}

/** A crash report with what it must be classified as. */
export interface CrashCase {
  name: string;
  arch: Arch;
  log: string;
  title: string;
  type: CrashType;
  frame: string | null;
  corrupted?: boolean;
  /** First line of the report, when the log does not start with it (default 1). */
  startLine?: number;
}
