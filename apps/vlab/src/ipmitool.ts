import { run, RunResult } from './exec';

/* ipmitool against a vlab BMC (password from its file, never on the command line). */
export function ipmitool(port: number, passwordFile: string, args: string[], timeoutMs = 20_000, quick = false): Promise<RunResult> {
  return run(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(port), '-U', 'admin', '-f', passwordFile,
    ...(quick ? ['-N', '1', '-R', '2'] : []), ...args], { check: false, timeoutMs });
}

export async function powerStatus(port: number, passwordFile: string): Promise<'on' | 'off' | 'unknown'> {
  const r = await ipmitool(port, passwordFile, ['chassis', 'power', 'status'], 8000, true);
  if (r.code !== 0) return 'unknown';
  return /is on/.test(r.stdout) ? 'on' : /is off/.test(r.stdout) ? 'off' : 'unknown';
}
