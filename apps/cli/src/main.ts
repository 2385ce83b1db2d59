#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './cli-error';
import { commandModules } from './commands';

export function buildProgram(): Command {
  const program = new Command('pfnlab')
    .description('pfnlab: lab controller for Linux memory-management kernel testing')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commandModules) register(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`pfnlab: ${err.message}\n`);
      if (err.hint) process.stderr.write(`  ${err.hint}\n`);
      return err.exitCode;
    }
    process.stderr.write(`pfnlab: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return ExitCode.failure;
  }
}

/** `pfnlab ... | head`: a reader that stops early is not an error. */
export function exitQuietlyOnEpipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw e;
  });
}

if (require.main === module) {
  exitQuietlyOnEpipe();
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
