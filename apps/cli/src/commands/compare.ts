import type { Command } from 'commander';
import { DEFAULT_RESAMPLES, DEFAULT_SEED, type MetricComparison } from '@pfnlab/stats';
import { ApiClient } from '../api-client';
import { CliError, ExitCode } from '../cli-error';
import { formatComparison } from './stats-format';
import { collect, fractionOption } from './stats-options';

/*
 * `pfnlab compare A B`: the server compares the stored measurements of a
 * baseline and a candidate (libs/stats, one sample per run per metric) and
 * keeps the comparison; this prints its table, or the whole record with
 * --json. `pfnlab stats compare` does the same on CSV files, offline.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UUID_RE = new RegExp(`^${UUID}$`);

type Side = { job: string; variant?: 'baseline' } | { build: string } | { runs: string[] };

interface ComparisonRow extends Omit<MetricComparison, 'ci' | 'ratio'> {
  unit: string | null;
  ratio: number | null;
  ci: [number | null, number | null] | null;
}

export interface Comparison {
  id: string;
  round?: number | null;
  verdict: string;
  sampling: string;
  warnings?: string[];
  options: { minEffect: number; alpha: number };
  baseline: { label: string; runCount: number };
  candidate: { label: string; runCount: number };
  results: ComparisonRow[];
}

/** `JOB_ID`, `job:JOB_ID`, `baseline:JOB_ID` (an A/B job's baseline runs), `build:BUILD_ID` or `run:ID,ID,...`. */
export function parseSide(arg: string, which: 'A' | 'B'): Side {
  const m = /^(?:(job|baseline|build|run|runs):)?(.*)$/.exec(arg.trim())!;
  const kind = m[1] ?? 'job';
  const ids = kind.startsWith('run') ? m[2].split(',').map((s) => s.trim()) : [m[2]];
  const bad = ids.find((id) => !UUID_RE.test(id));
  if (bad !== undefined || !ids.length) {
    throw new CliError(`${which}: "${arg}" is not a job id, baseline:JOB_ID, build:ID or run:ID,ID,...`, ExitCode.usage, 'job ids are UUIDs, as `pfnlab jobs ls` shows');
  }
  if (kind === 'job') return { job: ids[0] };
  if (kind === 'baseline') return { job: ids[0], variant: 'baseline' };
  if (kind === 'build') return { build: ids[0] };
  return { runs: ids };
}

/** The API's rows as the table formatter takes them (an interval end the JSON made null was infinite). */
function tableRows(rows: ComparisonRow[]): MetricComparison[] {
  return rows.map((r) => ({ ...r, ci: r.ci ? [r.ci[0] ?? Infinity, r.ci[1] ?? Infinity] : null }) as MetricComparison);
}

/** A stored comparison for people: both sides, the sampling, the table and the verdict. */
export function formatStoredComparison(c: Comparison): string {
  const units = new Map(c.results.filter((r) => r.unit).map((r) => [r.metric, r.unit!] as [string, string]));
  return `A: ${c.baseline.label} (${c.baseline.runCount} runs)\nB: ${c.candidate.label} (${c.candidate.runCount} runs)\n${c.sampling}\n\n`
    + formatComparison(tableRows(c.results), units, { minEffect: c.options.minEffect, alpha: c.options.alpha, resamples: DEFAULT_RESAMPLES, seed: DEFAULT_SEED })
    + `verdict: ${c.verdict} (comparison ${c.id})\n`
    + (c.warnings ?? []).map((w) => `warning: ${w}\n`).join('');
}

export function registerCompare(program: Command): void {
  program
    .command('compare <A> <B>')
    .description('compare the stored measurements of a baseline A and a candidate B (job ids, baseline:JOB_ID, build:ID or run:ID,ID,...)')
    .option('--metric <name>', 'only this metric (repeatable)', collect)
    .option('--min-effect <x>', 'smallest relative change that counts, e.g. 0.05 or 5%', fractionOption('--min-effect', 0, 1))
    .option('--alpha <x>', 'significance level of the Mann-Whitney test', fractionOption('--alpha', 0, 1, true))
    .option('--higher-is-better <name>', 'a metric where larger is better (repeatable)', collect)
    .option('--json', 'machine-readable output: the whole comparison record')
    .addHelpText('after', '\nOne sample per run per metric (the median of its iterations).\nExit status: 0 no regression, 1 at least one metric regressed (or an error), 2 invalid arguments.')
    .action(async (a: string, b: string, opts: { metric?: string[]; minEffect?: number; alpha?: number; higherIsBetter?: string[]; json?: boolean }) => {
      const body = {
        baseline: parseSide(a, 'A'),
        candidate: parseSide(b, 'B'),
        ...(opts.metric ? { metrics: opts.metric } : {}),
        ...(opts.minEffect !== undefined ? { minEffect: opts.minEffect } : {}),
        ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}),
        ...(opts.higherIsBetter ? { higherIsBetter: opts.higherIsBetter } : {}),
      };
      let c: Comparison;
      try {
        c = await new ApiClient().request<Comparison>('POST', '/api/comparisons', { json: body });
      } catch (e) {
        if (e instanceof CliError && /(?:baseline|candidate): no (?:job|build|run) /.test(e.message)) {
          throw new CliError(e.message.replace(/^POST \/api\/comparisons failed: /, '').replace(/ \(HTTP 404\)$/, ''), ExitCode.failure, '`pfnlab jobs ls` lists jobs; `pfnlab jobs show JOB_ID` its runs');
        }
        throw e;
      }
      if (opts.json) process.stdout.write(JSON.stringify(c) + '\n');
      else process.stdout.write(formatStoredComparison(c));
      if (c.results.some((r) => r.verdict === 'regression')) process.exitCode = ExitCode.failure;
    });
}
