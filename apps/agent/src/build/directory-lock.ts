import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { currentOwner, ownerState, parseOwner, type ProcessOwner } from './process-owner';

export interface DirectoryLockOptions {
  /** How long to wait for another holder (default one hour: a first clone of a kernel tree takes long). */
  timeoutMs?: number;
  /** How often to look again while waiting. */
  pollMs?: number;
  /** What the lock protects, for the timeout message. */
  what?: string;
}

interface LockContent extends ProcessOwner {
  /** Unique per acquisition: release never removes a lock someone else took after ours was broken. */
  token: string;
  since: string;
}

/** A lock file with no readable content yet is its creator between open and write; give it this long. */
const UNWRITTEN_GRACE_MS = 10_000;

/**
 * An exclusive lock on a directory (a mirror) between processes and within
 * one: a lock file created with O_EXCL holding the holder's pid and host.
 * A holder that died (kill -9, crash) is detected by its pid and its lock
 * taken over; a live one is waited for, up to a timeout with a message
 * that names it.
 */
export class DirectoryLock {
  private constructor(readonly file: string, private readonly token: string) {}

  static async acquire(file: string, opts: DirectoryLockOptions = {}): Promise<DirectoryLock> {
    const timeoutMs = opts.timeoutMs ?? 60 * 60_000;
    const pollMs = opts.pollMs ?? 200;
    const deadline = Date.now() + timeoutMs;
    const content: LockContent = { ...currentOwner(), token: randomBytes(12).toString('hex'), since: new Date().toISOString() };
    for (;;) {
      if (tryCreate(file, content)) return new DirectoryLock(file, content.token);
      const held = readLock(file);
      if (held !== undefined && isStale(file, held)) {
        breakStaleLock(file, held);
        continue;
      }
      if (Date.now() >= deadline) throw new Error(timeoutMessage(file, held, timeoutMs, opts.what));
      await new Promise((r) => setTimeout(r, pollMs + Math.floor(Math.random() * pollMs)));
    }
  }

  /**
   * Takes the lock if nobody alive holds it, without waiting: null when a
   * live process has it (or its creator is still writing it).
   */
  static tryAcquire(file: string): DirectoryLock | null {
    const content: LockContent = { ...currentOwner(), token: randomBytes(12).toString('hex'), since: new Date().toISOString() };
    // A second pass when the holder let go or was found dead in between.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (tryCreate(file, content)) return new DirectoryLock(file, content.token);
      const held = readLock(file);
      if (held === undefined) continue;
      if (!isStale(file, held)) return null;
      breakStaleLock(file, held);
    }
    return null;
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    const held = readLock(this.file);
    if (held && held.token === this.token) fs.rmSync(this.file, { force: true });
  }
}

/** Runs fn holding the lock on file. */
export async function withDirectoryLock<T>(file: string, fn: () => Promise<T>, opts: DirectoryLockOptions = {}): Promise<T> {
  const lock = await DirectoryLock.acquire(file, opts);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

function tryCreate(file: string, content: LockContent): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    fs.writeSync(fd, `${JSON.stringify(content)}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** The holder, null when the file says nothing readable, undefined when there is no file (any more). */
function readLock(file: string): LockContent | null | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const owner = parseOwner(text);
  if (!owner) return null;
  const raw = JSON.parse(text) as Partial<LockContent>;
  return { ...owner, token: String(raw.token ?? ''), since: String(raw.since ?? '') };
}

function isStale(file: string, held: LockContent | null): boolean {
  if (held) return ownerState(held) === 'dead';
  try {
    return Date.now() - fs.statSync(file).mtimeMs > UNWRITTEN_GRACE_MS;
  } catch {
    return false;
  }
}

/**
 * Removes a dead holder's lock. Moved aside first and checked: when two
 * waiters both saw it stale, the second must not delete the lock the first
 * has just taken; it puts back what it moved by mistake.
 */
function breakStaleLock(file: string, judged: LockContent | null): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const moved = readLock(aside);
  const same = judged === null ? moved === null : moved?.token === judged.token && moved?.pid === judged.pid;
  if (!same) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // Someone else holds it now; the one we moved had been stale a moment ago as well.
    }
  }
  fs.rmSync(aside, { force: true });
}

function timeoutMessage(file: string, held: LockContent | null | undefined, timeoutMs: number, what?: string): string {
  const holder = held ? `pid ${held.pid} on ${held.hostname}${held.since ? ` since ${held.since}` : ''}` : 'a process that has not written its pid';
  return `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the lock ${file}${what ? ` (${what})` : ''}: held by ${holder}; if that process is gone, remove the file`;
}
