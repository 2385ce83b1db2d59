import {
  compareMetrics,
  DEFAULT_ALPHA,
  DEFAULT_MIN_EFFECT,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  parseSamplesCsv,
  SAMPLES_CSV_LIMITS,
  SamplesCsvError,
  type SampleSet,
} from '@pfnlab/stats';
import { CliError, ExitCode } from '../cli-error';
import { readInput } from '../read-input';
import { formatComparison, toJsonRecord } from './stats-format';

export interface StatsCompareOptions {
  minEffect?: number;
  alpha?: number;
  higherIsBetter?: string[];
  seed?: number;
  resamples?: number;
  json?: boolean;
}

/**
 * `pfnlab stats compare BASELINE.csv CANDIDATE.csv`: the A/B statistics of
 * libs/stats on two sample files, without a server. Returns the exit code:
 * 0 no regression, 1 at least one metric regressed (so a script can stop on
 * it); input and option errors throw a CliError with exit code 2.
 */
export function runStatsCompare(
  baselineFile: string,
  candidateFile: string,
  options: StatsCompareOptions,
  write: (s: string) => void = (s) => process.stdout.write(s),
): number {
  if (baselineFile === '-' && candidateFile === '-') throw new CliError('standard input (-) can be read only once', ExitCode.usage);
  const baseline = readSamples(baselineFile);
  const candidate = readSamples(candidateFile);
  const units = mergeUnits(baselineFile, baseline, candidateFile, candidate);
  const higherIsBetter = options.higherIsBetter ?? [];
  for (const metric of higherIsBetter) {
    if (!baseline.samples.has(metric) && !candidate.samples.has(metric)) {
      throw new CliError(`--higher-is-better ${metric}: no such metric in ${baselineFile} or ${candidateFile}`, ExitCode.usage);
    }
  }
  const settings = {
    minEffect: options.minEffect ?? DEFAULT_MIN_EFFECT,
    alpha: options.alpha ?? DEFAULT_ALPHA,
    resamples: options.resamples ?? DEFAULT_RESAMPLES,
    seed: options.seed ?? DEFAULT_SEED,
  };
  const rows = compareMetrics(baseline.samples, candidate.samples, { ...settings, higherIsBetter });
  if (options.json) {
    write(rows.map((r) => JSON.stringify(toJsonRecord(r, units.get(r.metric))) + '\n').join(''));
  } else {
    write(formatComparison(rows, units, settings));
  }
  return rows.some((r) => r.verdict === 'regression') ? ExitCode.failure : ExitCode.ok;
}

/** Reads and parses one file; every problem comes back as `file:line: message`. */
function readSamples(file: string): SampleSet {
  const text = readInput(file, SAMPLES_CSV_LIMITS.maxChars);
  let set: SampleSet;
  try {
    set = parseSamplesCsv(text);
  } catch (e) {
    if (!(e instanceof SamplesCsvError)) throw e;
    const where = (line?: number) => (line === undefined ? file : `${file}:${line}`);
    const [first, ...rest] = e.problems.map((p) => `${where(p.line)}: ${p.message}`);
    throw new CliError([first, ...rest.map((r) => `pfnlab: ${r}`)].join('\n'), ExitCode.usage);
  }
  if (set.samples.size === 0) throw new CliError(`${file} has a header but no samples`, ExitCode.usage);
  return set;
}

/** One unit per metric across both files: comparing milliseconds with microseconds would be a silent 1000× "regression". */
function mergeUnits(fileA: string, a: SampleSet, fileB: string, b: SampleSet): Map<string, string> {
  const units = new Map(a.units);
  for (const [metric, unit] of b.units) {
    const other = units.get(metric);
    if (other !== undefined && other !== unit) {
      throw new CliError(`${metric} is in ${other} in ${fileA} but in ${unit} in ${fileB}`, ExitCode.usage, 'convert one file so that both use the same unit');
    }
    units.set(metric, unit);
  }
  return units;
}
