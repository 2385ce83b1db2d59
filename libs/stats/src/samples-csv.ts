/**
 * The sample file of `pfnlab stats compare`: a CSV with the header
 * `metric,value` (or `metric,value,unit`) and one sample per line:
 *
 *   metric,value,unit
 *   online_ms,41.2,ms
 *   vmemmap_populate.calls,125,calls
 *
 * Deliberately a strict subset of CSV: no quoting (no field may contain a
 * comma or a quote, so none needs it), so that a file written by a shell
 * loop's `printf` parses and a file that does not look like one is refused
 * with its line number rather than half-read.
 */

export interface SampleSet {
  /** Samples per metric, in file order. */
  samples: Map<string, number[]>;
  /** Unit per metric, when the file has a unit column and the unit is not empty. */
  units: Map<string, string>;
}

export interface CsvProblem {
  /** 1-based line number; absent for problems of the whole file (its size). */
  line?: number;
  message: string;
}

/** Limits that keep a wrong file (a console log, a binary) from costing minutes or memory. */
export const SAMPLES_CSV_LIMITS = {
  /** Characters of text (the CLI also refuses a file of more bytes before decoding it). */
  maxChars: 16 * 1024 * 1024,
  /** Samples in one file: the bootstrap's cost grows with them (10,000 resamples each). */
  maxSamples: 100_000,
  maxMetrics: 1_000,
  /** Problems reported before giving up on a file. */
  maxProblems: 20,
} as const;

/** Letters, digits and `_ . : / @ + -`, starting with a letter, digit or `_`, at most 128: names like `offline_pages.usecs` or `hotplug-add-remove/add_ms`. */
export const METRIC_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:/@+-]{0,127}$/;
/** `ms`, `us`, `ns`, `calls`, `pages`, `%`, `MiB/s`...: at most 16, no spaces. */
export const UNIT = /^[A-Za-z%][A-Za-z0-9_%/.^-]{0,15}$/;
/** Decimal numbers as people and printf write them; no NaN, Infinity, hex or thousands separators. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A sample file that cannot be read, with every problem found (up to maxProblems). */
export class SamplesCsvError extends Error {
  constructor(readonly problems: CsvProblem[]) {
    super(problems.map((p) => (p.line === undefined ? p.message : `line ${p.line}: ${p.message}`)).join('\n'));
    this.name = 'SamplesCsvError';
  }
}

/**
 * Parses a sample file. Accepts a UTF-8 BOM, CRLF line ends, blank lines
 * (skipped) and spaces or tabs around fields; everything else that is not
 * a header or a `metric,value[,unit]` line is an error naming its line.
 * A metric must keep one unit through the file. Throws SamplesCsvError.
 * A file with only a header gives an empty set (callers decide whether that
 * is an error).
 */
export function parseSamplesCsv(text: string): SampleSet {
  if (text.length > SAMPLES_CSV_LIMITS.maxChars) {
    throw new SamplesCsvError([{ message: `the file is larger than ${SAMPLES_CSV_LIMITS.maxChars} characters` }]);
  }
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const problems: CsvProblem[] = [];
  const samples = new Map<string, number[]>();
  const units = new Map<string, { unit: string; line: number }>();
  let columns = 0; // 0 until the header is read, then 2 or 3
  let count = 0;
  for (let i = 0; i < lines.length && problems.length < SAMPLES_CSV_LIMITS.maxProblems; i++) {
    const line = i + 1;
    const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (raw.trim() === '') continue;
    const fields = raw.split(',').map((f) => f.replace(/^[ \t]+|[ \t]+$/g, ''));
    if (columns === 0) {
      columns = headerColumns(fields);
      if (columns === 0) {
        problems.push({ line, message: `the header must be "metric,value" or "metric,value,unit", got ${show(raw)}` });
        break; // without a header, every later line would be reported too
      }
      continue;
    }
    const problem = checkLine(raw, fields, columns);
    if (problem) {
      problems.push({ line, message: problem });
      continue;
    }
    const [metric, valueText, unit = ''] = fields;
    const value = Number(valueText);
    if (!Number.isFinite(value)) {
      problems.push({ line, message: `value ${show(valueText)} is not a finite number` });
      continue;
    }
    const known = units.get(metric);
    if (known && known.unit !== unit) {
      problems.push({ line, message: `unit ${show(unit)} of ${metric} differs from ${show(known.unit)} on line ${known.line}` });
      continue;
    }
    let list = samples.get(metric);
    if (!list) {
      if (samples.size >= SAMPLES_CSV_LIMITS.maxMetrics) {
        problems.push({ line, message: `more than ${SAMPLES_CSV_LIMITS.maxMetrics} metrics` });
        break;
      }
      samples.set(metric, (list = []));
      units.set(metric, { unit, line });
    }
    if (++count > SAMPLES_CSV_LIMITS.maxSamples) {
      problems.push({ line, message: `more than ${SAMPLES_CSV_LIMITS.maxSamples} samples` });
      break;
    }
    list.push(value);
  }
  if (problems.length >= SAMPLES_CSV_LIMITS.maxProblems) {
    problems.push({ message: `stopped after ${SAMPLES_CSV_LIMITS.maxProblems} problems` });
  }
  if (columns === 0 && problems.length === 0) {
    problems.push({ line: 1, message: 'the file is empty: the first line must be the header "metric,value"' });
  }
  if (problems.length > 0) throw new SamplesCsvError(problems);
  const unitOf = new Map<string, string>();
  for (const [metric, { unit }] of units) if (unit !== '') unitOf.set(metric, unit);
  return { samples, units: unitOf };
}

function headerColumns(fields: string[]): number {
  const header = fields.join(',');
  return header === 'metric,value' ? 2 : header === 'metric,value,unit' ? 3 : 0;
}

/** The problem with a data line's shape, metric name or value, or null. */
function checkLine(raw: string, fields: string[], columns: number): string | null {
  if (raw.includes('"')) return 'quoted fields are not supported (no field needs a comma or a quote)';
  if (fields.join(',') === 'metric,value' || fields.join(',') === 'metric,value,unit') {
    return 'a second header line (were two files concatenated?)';
  }
  if (fields.length !== columns) {
    const expected = columns === 2 ? 'metric,value' : 'metric,value,unit';
    return `expected ${columns} fields (${expected}), got ${fields.length}: ${show(raw)}`;
  }
  const [metric, value, unit] = fields;
  if (metric === '') return 'the metric name is empty';
  if (!METRIC_NAME.test(metric)) {
    return `metric name ${show(metric)} is not allowed: letters, digits and _ . : / @ + -, starting with a letter, digit or _, at most 128`;
  }
  if (value === '') return `no value for ${metric}`;
  if (!NUMBER.test(value)) return `value ${show(value)} is not a number`;
  if (unit !== undefined && unit !== '' && !UNIT.test(unit)) {
    return `unit ${show(unit)} is not allowed: a letter or %, then letters, digits and _ % / . ^ -, at most 16`;
  }
  return null;
}

/** A field or line quoted for a message, cut short and with control characters made visible. */
function show(s: string): string {
  const cut = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return JSON.stringify(cut);
}
