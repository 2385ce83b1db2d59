import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep, VlabError } from './exec';
import { ProcRecord } from './vlab-state';

/*
 * Starts the lab's background processes (BMCs, emulators, console servers)
 * detached in their own process group, and stops them by group: SIGTERM,
 * then SIGKILL after a grace period (ipmi_sim -d ignores SIGTERM).
 */

export function startDetached(argv: string[], logFile: string, env: NodeJS.ProcessEnv = process.env, cwd?: string): ProcRecord {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', fd, fd], env, cwd });
  fs.closeSync(fd);
  if (!child.pid) throw new VlabError(`cannot start ${argv[0]}`, 'install the host packages: deploy/vlab/install-host-deps.sh');
  child.on('error', () => undefined);
  child.unref();
  return { pid: child.pid, argv, startedAt: new Date().toISOString(), log: logFile };
}

function procStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], pgrp: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

export function cmdlineOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** True if the recorded process is alive (not a zombie) and still runs the recorded program. */
export function isAlive(rec: ProcRecord): boolean {
  const st = procStat(rec.pid);
  if (!st || st.state === 'Z' || st.state === 'X') return false;
  const cmd = cmdlineOf(rec.pid);
  return cmd.length > 0 && path.basename(cmd[0]) === path.basename(rec.argv[0]);
}

/** Is the process stopped (SIGSTOP; used for the bmc-silent fault)? */
export function isStopped(pid: number): boolean {
  const st = procStat(pid);
  return st?.state === 'T';
}

/** Live members of a process group. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const st = procStat(Number(e));
    if (st && st.pgrp === pgid && st.state !== 'Z') out.push(Number(e));
  }
  return out;
}

/** Pids (not zombies) whose command line mentions `needle` (the data dir: only processes of this lab). */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    const st = procStat(Number(e));
    if (!st || st.state === 'Z') continue;
    if (cmdlineOf(Number(e)).some((a) => a.includes(needle))) out.push(Number(e));
  }
  return out;
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  try { process.kill(pid, sig); } catch { /* gone */ }
};

/** Stops a process group: SIGCONT (in case it was stopped), SIGTERM, then SIGKILL after graceMs. */
export async function stopGroup(pgid: number, graceMs = 3000): Promise<void> {
  if (groupMembers(pgid).length === 0) return;
  signal(-pgid, 'SIGCONT');
  signal(-pgid, 'SIGTERM');
  const end = Date.now() + graceMs;
  while (Date.now() < end && groupMembers(pgid).length > 0) await sleep(100);
  for (const p of groupMembers(pgid)) signal(p, 'SIGKILL');
  signal(-pgid, 'SIGKILL');
  const end2 = Date.now() + 3000;
  while (Date.now() < end2 && groupMembers(pgid).length > 0) await sleep(50);
}

/** Kills single pids (leftovers found by command line): SIGCONT+SIGTERM, then SIGKILL. */
export async function killPids(pids: number[], graceMs = 2000): Promise<void> {
  for (const p of pids) { signal(p, 'SIGCONT'); signal(p, 'SIGTERM'); }
  const alive = () => pids.filter((p) => { const s = procStat(p); return s && s.state !== 'Z'; });
  const end = Date.now() + graceMs;
  while (Date.now() < end && alive().length) await sleep(100);
  for (const p of alive()) signal(p, 'SIGKILL');
}
