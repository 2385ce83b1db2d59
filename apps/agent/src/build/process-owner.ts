import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * Who owns a lock or a build's work directory, written into it so another
 * process can tell whether the owner is still running after a crash or a
 * kill -9. The process start time (from /proc) tells a dead owner from an
 * unrelated process that got the same pid later, as happens to an agent that
 * always runs as pid 1 in a container.
 */
export interface ProcessOwner {
  pid: number;
  hostname: string;
  /** /proc/<pid>/stat starttime (clock ticks after boot), null where /proc is not there. */
  startTime: string | null;
}

export function currentOwner(): ProcessOwner {
  return { pid: process.pid, hostname: os.hostname(), startTime: processStartTime(process.pid) };
}

export function parseOwner(text: string): ProcessOwner | null {
  try {
    const o = JSON.parse(text) as Partial<ProcessOwner>;
    if (!Number.isInteger(o.pid) || (o.pid as number) <= 0 || typeof o.hostname !== 'string') return null;
    return { pid: o.pid as number, hostname: o.hostname, startTime: typeof o.startTime === 'string' ? o.startTime : null };
  } catch {
    return null;
  }
}

/**
 * Whether the owner still runs: 'alive', 'dead', or 'unknown' for another
 * host's process (a cache directory shared over NFS): never judged from here.
 */
export function ownerState(owner: ProcessOwner): 'alive' | 'dead' | 'unknown' {
  if (owner.hostname !== os.hostname()) return 'unknown';
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    // EPERM: the pid exists but belongs to another user; it is still running.
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  const now = processStartTime(owner.pid);
  if (owner.startTime && now && owner.startTime !== now) return 'dead';
  return 'alive';
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so count from its end. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
