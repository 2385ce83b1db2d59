import type { Command } from 'commander';
import { ApiClient } from '../api-client';
import { CliError, ExitCode } from '../cli-error';
import { age, printRecord, printTable } from '../output';
import { readInput } from '../read-input';
import { readSse } from '../sse-client';
import { formatStoredComparison, type Comparison } from './compare';

interface Job {
  id: string;
  name: string | null;
  arch: string;
  priority: number;
  state: string;
  verdict: string | null;
  verdictReason: string | null;
  createdAt: string;
  finishedAt: string | null;
  runs?: Array<{ id: string; machineId: string | null; state: string; verdict: string | null; iteration: number; attempt: number; failedStep: string | null; variant?: string; round?: number }>;
  /** A/B jobs (a spec with a baseline). */
  abState?: string | null;
  abSummary?: string | null;
  comparisonId?: string | null;
  [k: string]: unknown;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
function jobId(id: string): string {
  if (!UUID_RE.test(id)) throw new CliError(`"${id}" is not a job id (a UUID, as \`pfnlab jobs ls\` shows)`, ExitCode.usage);
  return id;
}

/** Exit status of a finished job: 0 for PASS/DONE, 1 otherwise. */
export function verdictExitCode(verdict: string | null): number {
  return verdict === 'PASS' || verdict === 'DONE' ? ExitCode.ok : ExitCode.failure;
}

interface RunSteps {
  id: string;
  machine: string | null;
  steps: Array<{ name: string; state: string; error: string | null }>;
  verdict: string | null;
  verdictReason: string | null;
}

/**
 * Follows a job until it finishes: each run's console live (Server-Sent
 * Events, one prefix per machine) and its step timeline; returns the job.
 */
export async function watchJob(api: ApiClient, id: string, opts: { json?: boolean; intervalMs?: number; out?: (s: string) => void; console?: boolean } = {}): Promise<Job> {
  const out = opts.out ?? ((s: string) => process.stdout.write(s));
  const stamp = () => new Date().toISOString().slice(11, 19);
  let last = '';
  const following = new Set<string>();
  const stepsSeen = new Map<string, string>();
  const abort = new AbortController();
  const tails: Promise<void>[] = [];
  const follow = (run: RunSteps) => {
    following.add(run.id);
    if (opts.console === false) return;
    const name = run.machine ?? run.id.slice(0, 8);
    tails.push(
      (async () => {
        for await (const ev of readSse(`${api.server}/api/runs/${run.id}/console/live`, api.token, abort.signal)) {
          if (ev.event !== 'lines') continue;
          const b = JSON.parse(ev.data) as { seq: number; lines: string[] };
          for (const [i, line] of b.lines.entries()) out(opts.json ? JSON.stringify({ event: 'console', run: run.id, machine: run.machine, seq: b.seq + i, line }) + '\n' : `${name} | ${line}\n`);
        }
      })().catch(() => undefined),
    );
  };
  try {
    for (;;) {
      const job = await api.get<Job>(`/api/jobs/${id}`);
      for (const r of job.runs ?? []) {
        const run = await api.get<RunSteps>(`/api/runs/${r.id}`);
        if (!following.has(r.id)) follow(run);
        const steps = run.steps.map((st) => `${st.name}:${st.state}`).join(' ');
        if (stepsSeen.get(r.id) !== steps) {
          const st = run.steps[run.steps.length - 1];
          if (st) out(opts.json ? JSON.stringify({ event: 'step', run: r.id, machine: run.machine, step: st.name, state: st.state, error: st.error }) + '\n' : `[${stamp()}] ${run.machine ?? ''} step ${st.name} ${st.state}${st.error ? `: ${st.error}` : ''}\n`);
          stepsSeen.set(r.id, steps);
        }
      }
      const runs = (job.runs ?? []).map((r) => `${r.iteration}.${r.attempt}:${r.state}${r.verdict ? `/${r.verdict}` : ''}`).join(' ');
      const line = `${job.state}${job.verdict ? ` ${job.verdict}` : ''}${runs ? ` runs ${runs}` : ''}`;
      if (line !== last) {
        out(opts.json ? JSON.stringify({ event: 'job', id, state: job.state, verdict: job.verdict, runs: job.runs ?? [] }) + '\n' : `[${new Date().toISOString().slice(11, 19)}] job ${id.slice(0, 8)} ${line}\n`);
        last = line;
      }
      if (job.state === 'finished' || job.state === 'canceled') {
        // Let the live consoles deliver their last lines (their streams end with the runs).
        await Promise.race([Promise.all(tails), new Promise((r) => setTimeout(r, 3000))]);
        return job;
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
    }
  } finally {
    abort.abort();
  }
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('submit, list, show, watch and cancel jobs');

  jobs
    .command('submit <file>')
    .description('submit a job spec (YAML or JSON; "-" reads stdin)')
    .option('--watch', 'follow the job until it finishes; exit 0 only on PASS/DONE')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { watch?: boolean; json?: boolean }) => {
      const api = new ApiClient();
      const job = await api.request<Job>('POST', '/api/jobs', { text: readInput(file, 256 * 1024), contentType: 'application/yaml' });
      if (opts.json) process.stdout.write(JSON.stringify({ event: 'submitted', id: job.id, state: job.state }) + '\n');
      else process.stdout.write(`submitted job ${job.id} (${job.arch}, priority ${job.priority})\n  watch it: pfnlab jobs show ${job.id}\n`);
      if (opts.watch) {
        const done = await watchJob(api, job.id, { json: opts.json });
        process.exitCode = verdictExitCode(done.verdict);
      }
    });

  jobs
    .command('ls')
    .description('list jobs, newest first')
    .option('--state <state>', 'queued | running | finished | canceled')
    .option('--arch <arch>')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'machine-readable output')
    .action(async (opts: { state?: string; arch?: string; limit: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: opts.limit });
      if (opts.state) q.set('state', opts.state);
      if (opts.arch) q.set('arch', opts.arch);
      const page = await new ApiClient().get<{ items: Job[]; nextCursor: string | null }>(`/api/jobs?${q}`);
      const rows = page.items.map((j) => ({ ID: j.id, NAME: j.name ?? '', ARCH: j.arch, PRIO: j.priority, STATE: j.state, VERDICT: j.verdict ?? '', SUBMITTED: age(j.createdAt) }));
      printTable(rows, ['ID', 'NAME', 'ARCH', 'PRIO', 'STATE', 'VERDICT', 'SUBMITTED'], page, !!opts.json);
    });

  jobs
    .command('show <id>')
    .description('show a job with its runs')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const job = await new ApiClient().get<Job>(`/api/jobs/${jobId(id)}`);
      if (opts.json) return printRecord(job, true);
      const { spec: _spec, runs = [], abState, abSummary, comparisonId, ...rest } = job;
      printRecord(abState ? { ...rest, 'A/B': `${abState}: ${abSummary ?? ''}` } : rest, false);
      process.stdout.write(`runs: ${runs.length ? '' : '(none yet)'}\n`);
      for (const r of runs) {
        const side = abState ? `  ${(r.variant ?? 'candidate').padEnd(9)} round ${r.round ?? 1}` : '';
        process.stdout.write(`  ${r.id}  #${r.iteration}.${r.attempt}${side}  ${r.state}  ${r.verdict ?? ''}${r.failedStep ? ` (step ${r.failedStep})` : ''}\n`);
      }
      // The comparison that decided the A/B job, as `pfnlab compare` prints one.
      if (comparisonId) process.stdout.write(`\n${formatStoredComparison(await new ApiClient().get<Comparison>(`/api/comparisons/${comparisonId}`))}`);
    });

  jobs
    .command('watch <id>')
    .description('follow a job until it finishes: live console and step timeline')
    .option('--json', 'machine-readable output (one event per line)')
    .option('--no-console', 'only the steps and verdicts')
    .action(async (id: string, opts: { json?: boolean; console: boolean }) => {
      const done = await watchJob(new ApiClient(), jobId(id), { json: opts.json, console: opts.console });
      process.exitCode = verdictExitCode(done.verdict);
    });

  jobs
    .command('cancel <id>')
    .description('cancel a queued or running job')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const job = await new ApiClient().request<Job>('POST', `/api/jobs/${jobId(id)}/cancel`);
      if (opts.json) printRecord(job, true);
      else process.stdout.write(`canceled job ${job.id}\n`);
    });
}
