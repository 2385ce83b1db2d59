import { CMDLINE_PARAM_RE } from '@pfnlab/contracts';
import { BootError } from './boot-method';

/*
 * The kernel command line a boot method writes. Every parameter already
 * matched CmdlineParamSchema at the API; this is the second line of defence
 * right before the bytes reach a bootloader or a file the firmware reads, so
 * whitespace, quotes, control characters and newlines are refused by name.
 */

const MAX_CMDLINE = 2048; // COMMAND_LINE_SIZE on x86_64 and arm64; s390 and ppc64 allow more.

export function checkCmdlineParam(p: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\s"'`\\\x00-\x1f\x7f]/.test(p)) throw new BootError(`kernel parameter ${JSON.stringify(p)} contains whitespace, a quote, a backslash or a control character`);
  if (!CMDLINE_PARAM_RE.test(p)) throw new BootError(`kernel parameter ${JSON.stringify(p)} is not name or name=value of safe characters`);
}

/**
 * The machine's console and earlycon parameters first (without them the
 * earliest lines never reach the console we capture), then the job's own;
 * a parameter given twice verbatim is kept once.
 */
export function buildCmdline(machineParams: string[], jobParams: string[]): string {
  const all: string[] = [];
  for (const p of [...machineParams, ...jobParams]) {
    checkCmdlineParam(p);
    if (!all.includes(p)) all.push(p);
  }
  const line = all.join(' ');
  if (line.length > MAX_CMDLINE) throw new BootError(`the kernel command line is ${line.length} bytes; the limit is ${MAX_CMDLINE}`);
  return line;
}
