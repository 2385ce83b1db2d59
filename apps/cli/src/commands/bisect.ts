import type { Command } from 'commander';
import { ApiClient } from '../api-client';
import { CliError, ExitCode } from '../cli-error';
import { age, printTable } from '../output';
import { readInput } from '../read-input';
import { formatBisection, type Bisection } from './bisect-format';

/*
 * `pfnlab bisect start|show|ls|cancel`: the server bisects (it resolves the
 * range, submits each step as a job and decides with libs/bisect); this
 * starts one, follows it, and shows the steps and the answer. The job file
 * is sent as text: the server validates it as it does `jobs submit`, with
 * line and column in its problems.
 */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
function bisectionId(id: string): string {
  if (!UUID_RE.test(id)) throw new CliError(`"${id}" is not a bisection id (a UUID, as \`pfnlab bisect ls\` shows)`, ExitCode.usage);
  return id;
}

/** Exit status of an ended bisection: 0 when a culprit was found, 1 otherwise. */
function exitCodeOf(b: Bisection): number {
  return b.state === 'found' ? ExitCode.ok : ExitCode.failure;
}

/** Prints each new step decision until the bisection ends; returns it. */
export async function watchBisection(api: ApiClient, id: string, opts: { json?: boolean; intervalMs?: number; out?: (s: string) => void } = {}): Promise<Bisection> {
  const out = opts.out ?? ((s: string) => process.stdout.write(s));
  let last = '';
  for (;;) {
    const b = await api.get<Bisection>(`/api/bisections/${id}`);
    const line = b.progress ?? b.state;
    if (line !== last) {
      out(opts.json ? JSON.stringify({ event: 'progress', id, state: b.state, progress: b.progress, steps: b.steps.length, culprit: b.culprit }) + '\n' : `[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
      last = line;
    }
    if (b.state !== 'running') return b;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 2000));
  }
}

export function registerBisect(program: Command): void {
  const bisect = program.command('bisect').description('find the commit that broke boot, added a crash or slowed a metric');

  bisect
    .command('start')
    .description('start a bisection of a job spec\'s kernel tree between a good and a bad ref')
    .requiredOption('--good <ref>', 'a ref (tag, branch, commit) that does not show the problem')
    .requiredOption('--bad <ref>', 'a ref that shows it (a descendant of --good)')
    .requiredOption('--criterion <crit>', 'boot | crash:"TITLE" | metric:NAME>+X%')
    .requiredOption('-f, --file <job.yaml>', 'job spec with kernel: {tree, ref, config...}, arch, target and tests ("-" reads stdin)')
    .option('--watch', 'follow the bisection until it ends; exit 0 only when a culprit is found')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nEach step builds one commit and runs the spec on it; a commit that does not build or fails for another reason is skipped, like `git bisect skip`.')
    .action(async (opts: { good: string; bad: string; criterion: string; file: string; watch?: boolean; json?: boolean }) => {
      const api = new ApiClient();
      const spec = readInput(opts.file, 256 * 1024);
      let b: Bisection;
      try {
        b = await api.request<Bisection>('POST', '/api/bisections', { json: { spec, good: opts.good, bad: opts.bad, criterion: opts.criterion } });
      } catch (e) {
        if (e instanceof CliError && !e.hint && /criterion/.test(e.message)) {
          throw new CliError(e.message, e.exitCode, 'criteria: boot, crash:"TITLE" (the exact title, as `pfnlab crashes ls` shows it) or metric:NAME>+X% (e.g. metric:hotplug-offline-online.online>+10%)');
        }
        if (e instanceof CliError && !e.hint && /ancestor|not a commit of the tree/.test(e.message)) {
          throw new CliError(e.message, e.exitCode, '`git log --oneline GOOD..BAD` in the tree should list the commits to bisect');
        }
        throw e;
      }
      if (opts.json) process.stdout.write(JSON.stringify(b) + '\n');
      else process.stdout.write(`started bisection ${b.id}: ${b.commitCount} commits, ${b.criterion}\n  ${b.progress ?? ''}\n  follow it: pfnlab bisect show ${b.id}\n`);
      if (opts.watch) {
        const done = await watchBisection(api, b.id, { json: opts.json });
        if (!opts.json) process.stdout.write('\n' + formatBisection(done));
        process.exitCode = exitCodeOf(done);
      }
    });

  bisect
    .command('show <id>')
    .description('show a bisection: the range, each step with its evidence, and the culprit')
    .option('--watch', 'print each step as it is decided until the bisection ends')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { watch?: boolean; json?: boolean }) => {
      const api = new ApiClient();
      const b = opts.watch ? await watchBisection(api, bisectionId(id), { json: opts.json }) : await api.get<Bisection>(`/api/bisections/${bisectionId(id)}`);
      if (opts.json) process.stdout.write(JSON.stringify(b) + '\n');
      else process.stdout.write(formatBisection(b));
      if (b.state !== 'running') process.exitCode = exitCodeOf(b);
    });

  bisect
    .command('ls')
    .description('list bisections, newest first')
    .option('--state <state>', 'running | found | cannot-bisect | canceled | error')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'machine-readable output')
    .action(async (opts: { state?: string; limit: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: opts.limit });
      if (opts.state) q.set('state', opts.state);
      const page = await new ApiClient().get<{ items: Array<Record<string, string | number | null>>; nextCursor: string | null }>(`/api/bisections?${q}`);
      const rows = page.items.map((b) => ({
        ID: b.id, STATE: b.state, RANGE: `${b.good}..${b.bad}`, CRITERION: b.criterion, STEPS: b.steps,
        CULPRIT: typeof b.culprit === 'string' ? b.culprit.slice(0, 12) : '', STARTED: age(b.createdAt as string),
      }));
      printTable(rows, ['ID', 'STATE', 'RANGE', 'CRITERION', 'STEPS', 'CULPRIT', 'STARTED'], page, !!opts.json);
    });

  bisect
    .command('cancel <id>')
    .description('stop a running bisection and cancel its step job')
    .action(async (id: string) => {
      const b = await new ApiClient().request<Bisection>('POST', `/api/bisections/${bisectionId(id)}/cancel`);
      process.stdout.write(`bisection ${b.id}: ${b.state} after ${b.steps.length} step(s)\n`);
    });
}
