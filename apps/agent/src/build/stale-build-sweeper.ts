import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand } from './command-runner';
import { currentOwner, ownerState, parseOwner, type ProcessOwner } from './process-owner';

/*
 * A build killed half-way (kill -9 of the agent, a crash, a reboot) leaves
 * its work directory <cacheDir>/builds/<id>/ (worktree and objects: GBs)
 * and the worktree registered in the mirror. Each work directory names its
 * owner process; a sweep removes those whose owner is gone and lets git
 * forget the worktrees that no longer exist.
 */

/** In every work directory, written right after it is created. */
export const BUILD_OWNER_FILE = 'owner.json';
/** KernelBuild's work directory names: base-36 time, '-', 8 hex. Nothing else under builds/ is touched. */
const WORK_DIR_RE = /^[0-9a-z]+-[0-9a-f]{8}$/;
/** A work directory without an owner file is left alone this long (its creator may be about to write it). */
const UNOWNED_GRACE_MS = 60 * 60_000;

export interface SweepResult {
  /** Work directories removed. */
  removed: string[];
  /** Mirrors whose worktree list was pruned. */
  mirrors: string[];
}

export interface BuildOwnerOptions {
  /** The build keeps its work directory for debugging (keepWorkDir): never swept. */
  keep?: boolean;
  /** Another owner than this process (tests). */
  owner?: ProcessOwner;
}

/** Marks workDir as this process's build. */
export function writeBuildOwner(workDir: string, opts: BuildOwnerOptions = {}): void {
  const record = { ...(opts.owner ?? currentOwner()), keep: opts.keep === true, startedAt: new Date().toISOString() };
  fs.writeFileSync(path.join(workDir, BUILD_OWNER_FILE), `${JSON.stringify(record)}\n`);
}

export async function sweepStaleBuilds(cacheDir: string, now: Date = new Date()): Promise<SweepResult> {
  const buildsDir = path.join(cacheDir, 'builds');
  const removed: string[] = [];
  for (const name of listDir(buildsDir)) {
    const dir = path.join(buildsDir, name);
    if (!WORK_DIR_RE.test(name) || !isDirectory(dir) || !isAbandoned(dir, now)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  const mirrors: string[] = [];
  const mirrorsDir = path.join(cacheDir, 'mirrors');
  for (const name of listDir(mirrorsDir)) {
    const mirror = path.join(mirrorsDir, name);
    if (!name.endsWith('.git') || !fs.existsSync(path.join(mirror, 'HEAD'))) continue;
    // Only drops entries whose directory is gone; git locks a worktree while `worktree add` creates it.
    const r = await runCommand(['git', '-C', mirror, 'worktree', 'prune']);
    if (r.code === 0) mirrors.push(mirror);
  }
  return { removed, mirrors };
}

function isAbandoned(dir: string, now: Date): boolean {
  let text: string | null = null;
  try {
    text = fs.readFileSync(path.join(dir, BUILD_OWNER_FILE), 'utf8');
  } catch {
    // No owner file (yet, or from before owner files).
  }
  const owner = text === null ? null : parseOwner(text);
  if (owner) return !keptForDebugging(text) && ownerState(owner) === 'dead';
  try {
    return now.getTime() - fs.statSync(dir).mtimeMs > UNOWNED_GRACE_MS;
  } catch {
    return false;
  }
}

function keptForDebugging(ownerText: string | null): boolean {
  try {
    return (JSON.parse(ownerText ?? '{}') as { keep?: unknown }).keep === true;
  } catch {
    return false;
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}
