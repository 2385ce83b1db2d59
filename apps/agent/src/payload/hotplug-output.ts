import { randomBytes } from 'node:crypto';
import { formatMarkerLine, type MarkerKind, type PayloadResult } from '@pfnlab/payloads';

export type MarkerFields = Array<[string, string | number]>;

/** Keys of the first guest phase's begin line that describe the guest (the parser's clock comes from them). */
const GUEST_KEYS = ['arch', 'kernel', 'clock', 'clock_res_ns', 'clock_overhead_ns'];
const MAX_LINE = 4000;

/**
 * hotplug-add-remove's output as ONE payload run: parsePayloadOutput keeps
 * only the last run of a text, and every guest phase is a run of its own,
 * so their samples, counts and info are carried over (iter = the cycle)
 * into one run with the host's own samples, under a new run id.
 */
export class HotplugOutput {
  private readonly lines: Array<[MarkerKind, MarkerFields]> = [];
  /** Problems in the guest phases' own output, by cycle and phase. */
  readonly problems: string[] = [];
  private guestBegin?: Record<string, string>;

  /** A guest phase's samples, counts and info into the run (iter = cycle); its problems into ours. */
  absorb(c: number, phase: string, r: PayloadResult): void {
    if (!this.guestBegin && r.payload === 'hotplug-add-remove') this.guestBegin = r.params;
    for (const pr of r.problems.slice(0, 20)) this.problems.push(`cycle ${c + 1} ${phase}: ${pr.line ? `line ${pr.line}: ` : ''}${pr.message}`);
    for (const s of r.samples) this.add('sample', [['metric', s.metric], ['value', s.value], ['unit', s.unit], ['iter', c], ...Object.entries(s.labels)]);
    for (const n of r.counts) this.add('count', [['metric', n.metric], ['value', n.value], ['unit', n.unit], ['iter', c], ...Object.entries(n.labels)]);
    for (const i of r.info) this.add('info', [['phase', phase], ['cycle', c], ...Object.entries(i).filter(([k]) => k !== 'phase' && k !== 'cycle')]);
  }

  add(kind: MarkerKind, fields: MarkerFields): void {
    this.lines.push([kind, fields]);
  }

  /** The marker text: `begin` (plus what the guest said of itself), then every line added. */
  text(begin: MarkerFields): string {
    const head: MarkerFields = [...begin];
    if (this.guestBegin) for (const k of GUEST_KEYS) if (this.guestBegin[k] !== undefined) head.push([k, this.guestBegin[k]]);
    const run = randomBytes(4).toString('hex');
    const out: string[] = [];
    let dropped = 0;
    for (const [kind, fields] of [['begin', head] as [MarkerKind, MarkerFields], ...this.lines]) {
      try {
        const l = formatMarkerLine(kind, run, out.length, fields);
        if (l.length > MAX_LINE) throw new Error('too long');
        out.push(l);
      } catch {
        dropped++;
      }
    }
    if (dropped) this.problems.push(`${dropped} line(s) of the guest phases could not be carried over (overlong or malformed)`);
    return `${out.join('\n')}\n`;
  }
}
