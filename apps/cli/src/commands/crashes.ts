import type { Command } from 'commander';
import { ApiClient } from '../api-client';
import { CliError, ExitCode } from '../cli-error';
import { age, printRecord, printTable } from '../output';

interface Crash {
  id: string;
  title: string;
  type: string;
  frame: string | null;
  count: number;
  arches: string[];
  firstSeen: string;
  lastSeen: string;
  machines?: string[];
  kernelVersions?: string[];
  occurrences?: Array<{ runId: string | null; machine: string | null; arch: string; kernelVersion: string | null; count: number; at: string; report: string; corrupted: boolean }>;
}

export function registerCrashes(program: Command): void {
  const crashes = program.command('crashes').description('crashes seen in runs, one per title');

  crashes
    .command('ls')
    .description('list crashes, most recently seen first')
    .option('--grep <text>', 'only titles containing this text')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'machine-readable output')
    .action(async (opts: { grep?: string; limit: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: opts.limit });
      if (opts.grep) q.set('q', opts.grep);
      const list = await new ApiClient().get<Crash[]>(`/api/crashes?${q}`);
      const rows = list.map((c) => ({ ID: c.id.slice(0, 8), TITLE: c.title, TYPE: c.type, COUNT: c.count, ARCHES: c.arches, 'LAST SEEN': age(c.lastSeen), 'FIRST SEEN': age(c.firstSeen) }));
      printTable(rows, ['ID', 'TITLE', 'TYPE', 'COUNT', 'ARCHES', 'LAST SEEN', 'FIRST SEEN'], list, !!opts.json);
    });

  crashes
    .command('show <id>')
    .description('show a crash: where and on which kernels it was seen, and its latest report')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      if (!/^[0-9a-f-]{36}$/.test(id)) throw new CliError(`"${id}" is not a crash id (the full UUID; \`pfnlab crashes ls --json\` shows it)`, ExitCode.usage);
      const c = await new ApiClient().get<Crash>(`/api/crashes/${id}`);
      if (opts.json) return printRecord(c as unknown as Record<string, unknown>, true);
      const { occurrences = [], ...rest } = c;
      printRecord(rest as unknown as Record<string, unknown>, false);
      process.stdout.write(`occurrences (${occurrences.length} shown):\n`);
      for (const o of occurrences) process.stdout.write(`  ${o.at}  ${o.machine ?? '-'}  ${o.arch}  ${o.kernelVersion ?? '-'}  x${o.count}${o.corrupted ? '  (corrupted)' : ''}  run ${o.runId ?? '-'}\n`);
      if (occurrences[0]) process.stdout.write(`\nlatest report:\n${occurrences[0].report}\n`);
    });
}
