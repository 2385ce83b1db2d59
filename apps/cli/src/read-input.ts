import { readFileSync } from 'node:fs';
import { CliError, ExitCode } from './cli-error';

/** Reads a file argument (`-` is stdin), turning I/O errors into a usage-style CliError. */
export function readInput(file: string, maxBytes = 1024 * 1024): string {
  try {
    const buf = readFileSync(file === '-' ? 0 : file);
    if (buf.length > maxBytes) throw new CliError(`${file} is larger than ${maxBytes} bytes`, ExitCode.usage);
    return buf.toString('utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, ExitCode.usage);
  }
}
