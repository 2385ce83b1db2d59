import * as fs from 'node:fs';
import { z } from 'zod';
import { VlabError } from './exec';
import { VlabPaths } from './paths';

/*
 * The lab's state file (state.json in the data dir): allocated ports, the
 * processes `vlab up` started (pid = process-group id, with the command line
 * to recognise them after a pid wrap), and per-machine faults.
 */

export const FAULTS = ['none', 'bmc-silent', 'console-drop', 'no-poweroff'] as const;
export type Fault = (typeof FAULTS)[number];

const ProcSchema = z.object({
  pid: z.number().int(),
  argv: z.array(z.string()),
  startedAt: z.string(),
  log: z.string(),
});
export type ProcRecord = z.infer<typeof ProcSchema>;

const StateSchema = z.object({
  version: z.literal(1),
  portBase: z.number().int(),
  ports: z.record(z.string(), z.record(z.string(), z.number().int())),
  processes: z.record(z.string(), ProcSchema),
  faults: z.record(z.string(), z.enum(FAULTS)),
  upAt: z.string().optional(),
});
export type VlabState = z.infer<typeof StateSchema>;

export function emptyState(portBase: number): VlabState {
  return { version: 1, portBase, ports: {}, processes: {}, faults: {} };
}

export function loadState(paths: VlabPaths): VlabState | undefined {
  if (!fs.existsSync(paths.state)) return undefined;
  try {
    return StateSchema.parse(JSON.parse(fs.readFileSync(paths.state, 'utf8')));
  } catch (e) {
    throw new VlabError(`the vlab state file ${paths.state} is unreadable: ${(e as Error).message}`, 'run `pfnlab vlab down --force` to clean up and start over');
  }
}

export function saveState(paths: VlabPaths, st: VlabState): void {
  fs.mkdirSync(paths.root, { recursive: true });
  const tmp = `${paths.state}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(st, null, 2) + '\n');
  fs.renameSync(tmp, paths.state);
}

/** All ports recorded in the state (to avoid handing one out twice). */
export function recordedPorts(st: VlabState): number[] {
  return Object.values(st.ports).flatMap((r) => Object.values(r));
}

/** Runs fn while holding the data dir's lock (a lock file with the holder's pid; stale locks are taken over). */
export async function withLock<T>(paths: VlabPaths, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(paths.root, { recursive: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      fs.writeFileSync(paths.lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = Number(fs.readFileSync(paths.lock, 'utf8').trim() || 0);
      let alive = false;
      try { if (holder > 0) { process.kill(holder, 0); alive = true; } } catch { alive = false; }
      if (!alive) { fs.rmSync(paths.lock, { force: true }); continue; }
      if (Date.now() > deadline) throw new VlabError(`another vlab command (pid ${holder}) holds ${paths.lock}`, 'wait for it to finish');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(paths.lock, { force: true });
  }
}
