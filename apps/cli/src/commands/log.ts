import * as fs from 'fs';
import type { Readable } from 'stream';
import type { Command } from 'commander';
import { ConsoleAnalyzer, type AnalysisResult } from '@pfnlab/console';
import { ARCHES, type Arch } from '@pfnlab/contracts';
import { CliError, ExitCode } from '../cli-error';
import { formatAnalysis } from './log-format';

export interface LogAnalyzeOptions {
  json?: boolean;
  arch?: string;
}

/** The JSON line printed per file: the interface documented in issue 3, key order included. */
export function toJsonRecord(file: string, r: AnalysisResult) {
  return {
    file,
    arch: r.arch,
    milestones: r.milestones.map((m) => ({ name: m.name, line: m.line, time: m.time })),
    crashes: r.crashes.map((c) => ({
      title: c.title,
      type: c.type,
      frame: c.frame,
      corrupted: c.corrupted,
      startLine: c.startLine,
      endLine: c.endLine,
      count: c.count,
    })),
  };
}

const CHUNK = 1 << 20;

/**
 * Reads a file in 1 MiB chunks into one reused buffer: memory stays flat on
 * multi-GiB logs. Synchronous reads are the fastest way through a file for a
 * command that has nothing else to do meanwhile.
 */
export function* readFileChunks(file: string): Generator<Buffer> {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Feeds a log through a ConsoleAnalyzer chunk by chunk. */
export async function analyzeChunks(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer>,
  arch?: Arch,
): Promise<AnalysisResult> {
  const analyzer = new ConsoleAnalyzer({ arch });
  for await (const chunk of input) analyzer.push(chunk);
  return analyzer.end();
}

function openInput(file: string, stdin: Readable): AsyncIterable<Buffer | string> | Iterable<Buffer> {
  return file === '-' ? stdin : readFileChunks(file);
}

function parseArch(value: string | undefined): Arch | undefined {
  if (value === undefined) return undefined;
  if (!(ARCHES as readonly string[]).includes(value)) {
    throw new CliError(`unknown arch "${value}"`, ExitCode.usage, `use one of: ${ARCHES.join(', ')}`);
  }
  return value as Arch;
}

/**
 * `pfnlab log analyze FILE...`: milestones and crashes of each file; with
 * --json one object per file per line. Exit 0 = no crash, 1 = crash found,
 * 2 = usage or I/O error. Needs no server, database or Redis.
 */
export async function runLogAnalyze(
  files: string[],
  options: LogAnalyzeOptions,
  write: (s: string) => void = (s) => process.stdout.write(s),
  stdin: Readable = process.stdin,
): Promise<number> {
  const arch = parseArch(options.arch);
  if (files.filter((f) => f === '-').length > 1) {
    throw new CliError('standard input (-) can be read only once', ExitCode.usage);
  }
  let crashed = false;
  const failed: string[] = [];
  for (const file of files) {
    let result: AnalysisResult;
    try {
      result = await analyzeChunks(openInput(file, stdin), arch);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      process.stderr.write(`pfnlab: cannot read ${file}: ${e.code ?? e.message}\n`);
      failed.push(file);
      continue;
    }
    if (result.crashes.length > 0) crashed = true;
    write(options.json ? `${JSON.stringify(toJsonRecord(file, result))}\n` : formatAnalysis(file, result));
  }
  if (failed.length > 0) {
    throw new CliError(`${failed.length} of ${files.length} inputs could not be read`, ExitCode.usage);
  }
  return crashed ? ExitCode.failure : ExitCode.ok;
}

export function registerLogCommands(program: Command): void {
  const log = program.command('log').description('analyse console and build logs (works offline)');
  log
    .command('analyze')
    .description('find boot milestones and crashes in console logs')
    .argument('<file...>', 'log files; "-" reads standard input')
    .option('--json', 'print one JSON object per file, one per line')
    .option('--arch <arch>', `the machine's arch: ${ARCHES.join(', ')} (default: detected)`)
    .addHelpText(
      'after',
      '\nExit status: 0 no crash found, 1 at least one crash, 2 usage or I/O error.\n' +
        'JSON: {"file","arch","milestones":[{"name","line","time"}],"crashes":[{"title","type","frame","corrupted","startLine","endLine","count"}]}',
    )
    .action(async (files: string[], options: LogAnalyzeOptions) => {
      const code = await runLogAnalyze(files, options);
      if (code !== ExitCode.ok) process.exitCode = code;
    });
}
