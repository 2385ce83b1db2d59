import type { RunStep, Verdict } from '@pfnlab/contracts';

/*
 * What one bisection step gave, as data: the build of the commit and the
 * runs that booted it. The server assembles it from the build's finished
 * event and each run's verdict event (and its payload samples); nothing
 * here reads a database or a console.
 */

/** The build's result (libs/contracts BUILD_STATUSES): FAIL is the code's fault, ERROR the lab's. */
export type BuildStatus = 'PASS' | 'FAIL' | 'ERROR';

export interface BuildOutcome {
  status: BuildStatus;
  /** The build's one-line title ("patch does not apply", "error: implicit declaration of ..."). */
  title?: string;
}

export interface RunOutcome {
  /** The run's id, kept so that evidence can point at the runs that prove it. */
  runId?: string;
  verdict: Verdict;
  /** The step that failed, from the verdict event; null or absent when none did. */
  failedStep?: RunStep | null;
  /**
   * True when the console reached user space (the `userspace-ready`
   * milestone). A kernel that boots and then prints a WARNING is a FAIL in
   * the boot step, but it booted: with this set, the boot criterion can
   * tell the two apart. Absent, a FAIL in the boot step counts as "did not
   * boot".
   */
  reachedUserspace?: boolean;
  /** The verdict's reason, quoted when a run fails for something other than the criterion. */
  reason?: string;
  /** Titles of the crashes the console analysis found in this run (syzbot style). */
  crashTitles?: readonly string[];
  /**
   * Metric name → this run's values (one per loop iteration, or one).
   * The run's sample is their median: one sample per run, not per
   * iteration, because iterations of one boot share its memory layout
   * (libs/stats README).
   */
  metrics?: Readonly<Record<string, readonly number[]>>;
}

/** One report for a commit: its build (absent when a stored build was reused) and the runs that finished since the last report. */
export interface StepOutcome {
  build?: BuildOutcome | null;
  runs: readonly RunOutcome[];
}

/** Data handed to the library that cannot be right (a bug or a tampered record upstream). */
export class BisectInputError extends Error {
  override name = 'BisectInputError';
}

const VERDICT_SET: ReadonlySet<string> = new Set(['PASS', 'FAIL', 'ERROR', 'CANCELED', 'DONE']);
const STEP_SET: ReadonlySet<string> = new Set(['reserve', 'console', 'deploy', 'power', 'boot', 'test', 'collect', 'recover', 'release']);
const BUILD_SET: ReadonlySet<string> = new Set(['PASS', 'FAIL', 'ERROR']);
/** Limits that no honest step reaches: they keep a stored state small and a bad record from costing much. */
export const OUTCOME_LIMITS = { runsPerReport: 1000, crashTitles: 50, metrics: 200, valuesPerMetric: 100_000, text: 2000 } as const;

/**
 * Checks a step outcome's shape and values and returns a plain copy (no
 * extra fields, no shared arrays), so a state built from it serialises to
 * exactly what the library reads back. Throws BisectInputError naming the
 * first problem, with `where` in front ("outcome of abc123: ...").
 */
export function checkStepOutcome(value: unknown, where: string): StepOutcome {
  const o = record(value, where);
  const out: StepOutcome = { runs: [] };
  if (o.build !== undefined && o.build !== null) {
    const b = record(o.build, `${where}: build`);
    if (typeof b.status !== 'string' || !BUILD_SET.has(b.status)) throw new BisectInputError(`${where}: build status must be PASS, FAIL or ERROR, got ${show(b.status)}`);
    out.build = { status: b.status as BuildStatus };
    if (b.title !== undefined) out.build.title = text(b.title, `${where}: build title`);
  } else if (o.build === null) {
    out.build = null;
  }
  if (!Array.isArray(o.runs)) throw new BisectInputError(`${where}: runs must be a list`);
  if (o.runs.length > OUTCOME_LIMITS.runsPerReport) throw new BisectInputError(`${where}: ${o.runs.length} runs in one report; at most ${OUTCOME_LIMITS.runsPerReport}`);
  out.runs = o.runs.map((r, i) => checkRun(r, `${where}: run ${i + 1}`));
  return out;
}

function checkRun(value: unknown, where: string): RunOutcome {
  const r = record(value, where);
  if (typeof r.verdict !== 'string' || !VERDICT_SET.has(r.verdict)) {
    throw new BisectInputError(`${where}: verdict must be PASS, FAIL, ERROR, CANCELED or DONE, got ${show(r.verdict)}`);
  }
  const run: RunOutcome = { verdict: r.verdict as Verdict };
  if (r.runId !== undefined) {
    if (typeof r.runId !== 'string' || r.runId === '' || r.runId.length > 100) throw new BisectInputError(`${where}: runId must be text of 1 to 100 characters`);
    run.runId = r.runId;
  }
  if (r.failedStep !== undefined && r.failedStep !== null) {
    if (typeof r.failedStep !== 'string' || !STEP_SET.has(r.failedStep)) throw new BisectInputError(`${where}: failedStep ${show(r.failedStep)} is not a run step`);
    run.failedStep = r.failedStep as RunStep;
  } else if (r.failedStep === null) {
    run.failedStep = null;
  }
  if (r.reachedUserspace !== undefined) {
    if (typeof r.reachedUserspace !== 'boolean') throw new BisectInputError(`${where}: reachedUserspace must be true or false`);
    run.reachedUserspace = r.reachedUserspace;
  }
  if (r.reason !== undefined) run.reason = text(r.reason, `${where}: reason`);
  if (r.crashTitles !== undefined) {
    if (!Array.isArray(r.crashTitles)) throw new BisectInputError(`${where}: crashTitles must be a list`);
    if (r.crashTitles.length > OUTCOME_LIMITS.crashTitles) throw new BisectInputError(`${where}: ${r.crashTitles.length} crash titles; at most ${OUTCOME_LIMITS.crashTitles}`);
    run.crashTitles = r.crashTitles.map((t, i) => text(t, `${where}: crash title ${i + 1}`));
  }
  if (r.metrics !== undefined) run.metrics = checkMetrics(r.metrics, `${where}: metrics`);
  return run;
}

function checkMetrics(value: unknown, where: string): Record<string, number[]> {
  const m = record(value, where);
  const names = Object.keys(m);
  if (names.length > OUTCOME_LIMITS.metrics) throw new BisectInputError(`${where}: ${names.length} metrics; at most ${OUTCOME_LIMITS.metrics}`);
  // A null-prototype object: a metric named "__proto__" or "constructor" is only a name.
  const out: Record<string, number[]> = Object.create(null);
  for (const name of names) {
    const values = m[name];
    if (!Array.isArray(values)) throw new BisectInputError(`${where}: ${show(name)} must be a list of numbers`);
    if (values.length > OUTCOME_LIMITS.valuesPerMetric) throw new BisectInputError(`${where}: ${show(name)} has ${values.length} values; at most ${OUTCOME_LIMITS.valuesPerMetric}`);
    values.forEach((v, i) => {
      // A NaN or an Infinity is a bug upstream, not a measurement (libs/stats refuses them too).
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new BisectInputError(`${where}: ${show(name)} value ${i + 1} is ${show(v)}, not a finite number`);
    });
    out[name] = [...values];
  }
  return out;
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BisectInputError(`${where} must be an object`);
  return value as Record<string, unknown>;
}

/** Free text is for people: a long one is shortened, not refused (a build title can be a compiler's whole line). */
function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new BisectInputError(`${where} must be text`);
  const max = OUTCOME_LIMITS.text;
  return value.length > max ? value.slice(0, max - 3) + '...' : value;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v) : String(v);
}
