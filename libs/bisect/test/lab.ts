import { decideNext, describeDecision, recordOutcome, type BisectDecision, type BisectState, type RunOutcome, type StepOutcome } from '@pfnlab/bisect';

/*
 * A simulated lab for the specs: histories as data, a loop that does what
 * the server will do (ask decideNext, run what it says, record the
 * outcome) and a record of every decision.
 */

/** n commit ids, 12 hex digits each (so the short form is the whole id): c0ffee000000, c0ffee000001, ... */
export function commitIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => 'c0ffee' + i.toString(16).padStart(6, '0'));
}

export const TITLE = 'BUG: unable to handle page fault in vmemmap_populate';

export const pass = (extra: Partial<RunOutcome> = {}): RunOutcome => ({ verdict: 'PASS', failedStep: null, reachedUserspace: true, reason: 'booted to user space', ...extra });
export const noBoot = (reason = 'kernel panic: Kernel panic - not syncing: Attempted to kill init!'): RunOutcome => ({
  verdict: 'FAIL',
  failedStep: 'boot',
  reachedUserspace: false,
  reason,
});
export const crash = (title = TITLE, step: 'boot' | 'test' = 'test'): RunOutcome => ({
  verdict: 'FAIL',
  failedStep: step,
  reachedUserspace: step === 'test',
  reason: `kernel panic: ${title}`,
  crashTitles: [title],
});
export const labError = (reason = 'no output at all, not even firmware'): RunOutcome => ({ verdict: 'ERROR', failedStep: 'boot', reason });
export const measured = (metric: string, values: number[], extra: Partial<RunOutcome> = {}): RunOutcome => ({ ...pass(), metrics: { [metric]: values }, ...extra });

/** What the lab gives for commit `index` when asked for `runs` runs, `already` having been reported for it. */
export type Lab = (index: number, runs: number, already: number) => StepOutcome;

/** The same outcome for every run: `good(i)` says whether commit i is good. */
export function deterministicLab(isGood: (i: number) => boolean, bad: () => RunOutcome = () => crash()): Lab {
  return (i, runs) => ({ build: { status: 'PASS' }, runs: Array.from({ length: runs }, () => (isGood(i) ? pass() : bad())) });
}

export interface Simulation {
  decision: Exclude<BisectDecision, { kind: 'test' }>;
  state: BisectState;
  /** Indices in the order decideNext asked for them (a commit asked again for more runs appears again). */
  asked: number[];
  /** The runs asked for each time. */
  runs: number[];
  /** Every decision's line, in order, the final one last. */
  lines: string[];
  /** Distinct commits tested. */
  steps: number;
}

export function simulate(start: BisectState, lab: Lab, limit = 500): Simulation {
  let state = start;
  const asked: number[] = [];
  const runs: number[] = [];
  const lines: string[] = [];
  for (let k = 0; k < limit; k++) {
    const d = decideNext(state);
    lines.push(describeDecision(d));
    if (d.kind !== 'test') return { decision: d, state, asked, runs, lines, steps: state.steps.length };
    asked.push(d.index);
    runs.push(d.runs);
    const already = state.steps.find((s) => s.commit === d.commit)?.runs.length ?? 0;
    state = recordOutcome(state, d.commit, lab(d.index, d.runs, already));
  }
  throw new Error(`no conclusion after ${limit} decisions: ${lines.slice(-3).join(' | ')}`);
}
