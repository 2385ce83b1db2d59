import type { Command } from 'commander';
import { ApiClient } from '../api-client';
import { CliError, ExitCode } from '../cli-error';
import type { PayloadResultView } from '@pfnlab/contracts';

/*
 * `pfnlab runs results RUN_ID`: what a run's payloads reported, one block
 * per tests: entry (status, why, the counters that were unavailable), and
 * each metric's n, median, min and max, as /api/runs/ID/results gives them.
 */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A value with its unit for people: ns as µs/ms/s when large. */
export function formatValue(v: number, unit: string): string {
  if (unit !== 'ns') return `${Number.isInteger(v) ? v : v.toPrecision(4)} ${unit}`.trim();
  if (v >= 1e9) return `${(v / 1e9).toPrecision(4)} s`;
  if (v >= 1e6) return `${(v / 1e6).toPrecision(4)} ms`;
  if (v >= 1e3) return `${(v / 1e3).toPrecision(4)} µs`;
  return `${v} ns`;
}

/** What the formatter reads of each result. */
type ShownResult = Pick<PayloadResultView, 'payload' | 'testIndex' | 'testIteration' | 'status' | 'reason' | 'warnings' | 'seconds' | 'unavailable' | 'metrics'>;

export function formatResults(results: ShownResult[]): string {
  if (!results.length) return 'no payload results (the job has no tests:, or the run has not reached its test step)\n';
  const out: string[] = [];
  for (const r of results) {
    out.push(`${r.payload} (test ${r.testIndex}, iteration ${r.testIteration}): ${r.status.toUpperCase()}${r.reason ? ` - ${r.reason}` : ''}  [${r.seconds} s, ${r.warnings} warning(s)]`);
    const width = Math.max(6, ...r.metrics.map((m) => m.metric.length));
    if (r.metrics.length) out.push(`  ${'metric'.padEnd(width)}  ${'n'.padStart(5)}  ${'median'.padStart(11)}  ${'min'.padStart(11)}  ${'max'.padStart(11)}`);
    for (const m of r.metrics) {
      out.push(`  ${m.metric.padEnd(width)}  ${String(m.n).padStart(5)}  ${formatValue(m.median, m.unit).padStart(11)}  ${formatValue(m.min, m.unit).padStart(11)}  ${formatValue(m.max, m.unit).padStart(11)}`);
    }
    for (const u of r.unavailable) out.push(`  counter ${u.counter} unavailable: ${u.reason}`);
  }
  return out.join('\n') + '\n';
}

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('look at runs');
  runs
    .command('results <runId>')
    .description("a run's payload results and measurements")
    .option('--json', 'machine-readable output: the API record')
    .action(async (id: string, opts: { json?: boolean }) => {
      if (!UUID_RE.test(id)) throw new CliError(`"${id}" is not a run id (a UUID, as \`pfnlab jobs show JOB_ID\` lists)`, ExitCode.usage);
      const r = await new ApiClient().get<{ runId: string; jobId: string; results: PayloadResultView[] }>(`/api/runs/${id}/results`);
      if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stdout.write(formatResults(r.results));
    });
}
