import { METRIC_NAME } from '@pfnlab/stats';

/*
 * What makes a commit "bad" in a bisection, as `pfnlab bisect start
 * --criterion` takes it:
 *
 *   boot                       bad when the kernel does not boot to user space
 *   crash:"TITLE"              bad when a run crashes with exactly this title
 *   metric:NAME>+X%            bad when the candidate's median of NAME is more
 *                              than X% above the good endpoint's median
 *
 * The text is also the stored form (bisections.criterion): formatCriterion
 * gives it back canonically, so a resumed bisection parses what it stored.
 */

export type Criterion =
  | { kind: 'boot' }
  /** `title` is normalised (normalizeCrashTitle): trimmed, inner runs of blanks collapsed to one space. */
  | { kind: 'crash'; title: string }
  /** Bad when median(candidate) > median(good endpoint) × (1 + percent / 100), shown with 95% confidence. */
  | { kind: 'metric'; metric: string; percent: number };

export type CriterionKind = Criterion['kind'];

/** A criterion that cannot be used, with a message that names the problem. */
export class CriterionError extends Error {
  override name = 'CriterionError';
}

export const CRITERION_SYNTAX = 'boot, crash:"TITLE" or metric:NAME>+X%';
/** The crash summaries of a verdict carry titles of at most 200 characters (libs/contracts). */
export const MAX_CRASH_TITLE_LENGTH = 200;
/**
 * X of `>+X%`. Below 1% no lab measurement tells a regression from noise
 * (run-to-run variation of hotplug timings is 5-25%); above 1000% (11 times
 * slower) the kernel is broken, and boot or crash says so better.
 */
export const METRIC_PERCENT_MIN = 1;
export const METRIC_PERCENT_MAX = 1000;
/** Anything longer is not a criterion someone typed; refuse it before looking inside. */
const MAX_CRITERION_LENGTH = 1000;

const CRASH_EXAMPLE = 'crash:"BUG: unable to handle page fault in vmemmap_populate"';
const METRIC_EXAMPLE = 'metric:hotplug-add-remove.add_visible>+10%';
// Up to 4 integer digits and 2 decimals: "+10%", "+7.5%", "+1000%".
const PERCENT = /^\+(\d{1,4}(?:\.\d{1,2})?)%$/;
// C0 controls, DEL and C1 controls: a title is one printable line.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Parses a criterion; throws CriterionError naming the problem. The text is
 * trimmed first. A crash title may be given with or without its quotes:
 * a shell turns `--criterion crash:"BUG: ..."` into `crash:BUG: ...`, and
 * both mean the same title.
 */
export function parseCriterion(text: unknown): Criterion {
  if (typeof text !== 'string') throw new CriterionError(`the criterion must be text (${CRITERION_SYNTAX}), got ${typeof text}`);
  if (text.length > MAX_CRITERION_LENGTH) {
    throw new CriterionError(`the criterion is ${text.length} characters long; at most ${MAX_CRITERION_LENGTH}`);
  }
  const t = text.trim();
  if (t === '') throw new CriterionError(`the criterion is empty: use ${CRITERION_SYNTAX}`);
  if (t === 'boot') return { kind: 'boot' };
  if (t.startsWith('crash:')) return parseCrash(t.slice('crash:'.length));
  if (t.startsWith('metric:')) return parseMetric(t.slice('metric:'.length));
  const word = /^[A-Za-z]+/.exec(t)?.[0];
  const hint = word && ['boot', 'crash', 'metric'].includes(word.toLowerCase()) && word !== 'boot' ? ` (did you mean ${word.toLowerCase()}:...?)` : '';
  throw new CriterionError(`unknown criterion ${show(t)}${hint}: use ${CRITERION_SYNTAX}`);
}

function parseCrash(rest: string): Criterion {
  let title = rest.trim();
  if (title.startsWith('"')) {
    if (title.length < 2 || !title.endsWith('"')) throw new CriterionError(`the crash title ${show(title)} opens a quote that is not closed`);
    title = title.slice(1, -1);
  }
  title = normalizeCrashTitle(title);
  if (title === '') {
    throw new CriterionError(`the crash criterion has an empty title: give the title as pfnlab prints it, e.g. ${CRASH_EXAMPLE}`);
  }
  const control = CONTROL.exec(title);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new CriterionError(`the crash title contains a control character (U+${code} at position ${control.index + 1}): a title is one line of text`);
  }
  if (title.length > MAX_CRASH_TITLE_LENGTH) {
    throw new CriterionError(`the crash title is ${title.length} characters long; pfnlab's crash titles have at most ${MAX_CRASH_TITLE_LENGTH}`);
  }
  return { kind: 'crash', title };
}

function parseMetric(rest: string): Criterion {
  const gt = rest.indexOf('>');
  if (rest.trim() === '') throw new CriterionError(`the metric criterion names no metric: write metric:NAME>+X%, e.g. ${METRIC_EXAMPLE}`);
  if (gt < 0) {
    throw new CriterionError(`the metric criterion ${show('metric:' + rest)} has no threshold: write metric:NAME>+X%, e.g. ${METRIC_EXAMPLE}`);
  }
  const metric = rest.slice(0, gt);
  const threshold = rest.slice(gt + 1);
  if (metric === '') throw new CriterionError(`the metric criterion names no metric before ">": write metric:NAME>+X%, e.g. ${METRIC_EXAMPLE}`);
  if (!METRIC_NAME.test(metric)) {
    throw new CriterionError(
      `metric name ${show(metric)} is not allowed: letters, digits and _ . : / @ + -, starting with a letter, digit or _, at most 128 characters`,
    );
  }
  const m = PERCENT.exec(threshold);
  if (!m) {
    throw new CriterionError(
      `the threshold ${show(threshold)} is not +X%: write how far above the good commit's median is bad, e.g. ${METRIC_EXAMPLE}`,
    );
  }
  const percent = Number(m[1]);
  if (!(percent >= METRIC_PERCENT_MIN && percent <= METRIC_PERCENT_MAX)) {
    throw new CriterionError(`the threshold +${m[1]}% is out of range: X must be from ${METRIC_PERCENT_MIN} to ${METRIC_PERCENT_MAX} (percent)`);
  }
  return { kind: 'metric', metric, percent };
}

/** The canonical text of a criterion: parseCriterion(formatCriterion(c)) equals c. */
export function formatCriterion(c: Criterion): string {
  switch (c.kind) {
    case 'boot':
      return 'boot';
    case 'crash':
      return `crash:"${c.title}"`;
    case 'metric':
      return `metric:${c.metric}>+${c.percent}%`;
  }
}

/** The ratio candidate / good above which a metric criterion calls a commit bad. */
export function metricThreshold(c: { percent: number }): number {
  return 1 + c.percent / 100;
}

/**
 * How titles are compared: trimmed, runs of spaces, tabs and no-break
 * spaces collapsed to one space. pfnlab's titles are already normalised this
 * way (libs/console), but a title pasted from a mail or a terminal may carry
 * a tab or a double space. Line breaks are not collapsed: a title is one
 * line, and parseCriterion refuses one with a break inside.
 */
export function normalizeCrashTitle(title: string): string {
  return title.trim().replace(/[ \t\u00a0]+/g, ' ');
}

/** For people, in messages: quoted, escaped, and short even when the input is not. */
function show(s: string): string {
  return JSON.stringify(s.length > 80 ? s.slice(0, 77) + '...' : s);
}
