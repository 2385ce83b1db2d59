import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BuildWorktree } from '../../apps/agent/src/build/build-worktree';
import { DirectoryLock, withDirectoryLock } from '../../apps/agent/src/build/directory-lock';
import { KernelTreeMirror } from '../../apps/agent/src/build/kernel-tree-mirror';
import { WorktreePool } from '../../apps/agent/src/build/worktree-pool';
import { currentOwner } from '../../apps/agent/src/build/process-owner';
import { BUILD_OWNER_FILE, sweepStaleBuilds, writeBuildOwner } from '../../apps/agent/src/build/stale-build-sweeper';

/*
 * The shared build cache under concurrency and after kills: builds of one
 * tree starting together on one host, and work directories left by a build
 * that was killed half-way. Real git, a small repository made here.
 */

let work: string;
let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pid that certainly ran on this host and is gone now. */
function deadPid(): number {
  const r = spawnSync('true');
  return r.pid!;
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-workdirs-'));
  repo = path.join(work, 'tree');
  fs.mkdirSync(repo);
  git('-C', repo, 'init', '--quiet', '--initial-branch=main');
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(repo, `file${i}.c`), `int f${i}(void) { return ${i}; }\n`.repeat(200));
  git('-C', repo, 'add', '.');
  git('-C', repo, 'commit', '--quiet', '-m', 'initial');
  git('-C', repo, 'tag', 'v1');
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('mirror updates of one tree starting together', () => {
  it('clone once: the second waits for the first, then fetches the same mirror', async () => {
    const cache = fs.mkdtempSync(path.join(work, 'cache-'));
    const trace = path.join(work, 'git-trace.log');
    const saved = process.env.GIT_TRACE;
    // runCommand passes the environment on: git itself records every command it runs.
    process.env.GIT_TRACE = trace;
    let dirs: string[];
    try {
      dirs = await Promise.all([new KernelTreeMirror(cache).update(repo), new KernelTreeMirror(cache).update(repo)]);
    } finally {
      if (saved === undefined) delete process.env.GIT_TRACE;
      else process.env.GIT_TRACE = saved;
    }
    const log = fs.readFileSync(trace, 'utf8');
    const clones = log.split('\n').filter((l) => /built-in: git clone --mirror/.test(l));
    const fetches = log.split('\n').filter((l) => /built-in: git fetch --prune/.test(l));
    expect(clones).toHaveLength(1);
    expect(fetches).toHaveLength(1);
    expect(dirs[0]).toBe(dirs[1]);
    expect(fs.existsSync(path.join(dirs[0], 'HEAD'))).toBe(true);
    expect(git('-C', dirs[0], 'rev-parse', 'v1^{commit}')).toBe(git('-C', repo, 'rev-parse', 'HEAD'));
    // Nothing left behind: no partial clone, no lock file.
    expect(fs.readdirSync(path.join(cache, 'mirrors'))).toEqual([path.basename(dirs[0])]);
  });

  it('takes over a lock whose holder died', async () => {
    const cache = fs.mkdtempSync(path.join(work, 'cache-'));
    const mirrors = new KernelTreeMirror(cache);
    const lockFile = `${mirrors.mirrorDir(repo)}.lock`;
    fs.mkdirSync(path.dirname(lockFile), { recursive: true });
    fs.writeFileSync(lockFile, JSON.stringify({ pid: deadPid(), hostname: os.hostname(), startTime: null, token: 'killed', since: '2025-01-01T00:00:00Z' }));
    const started = Date.now();
    const dir = await new KernelTreeMirror(cache, 2000).update(repo);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fs.existsSync(path.join(dir, 'HEAD'))).toBe(true);
    expect(fs.existsSync(lockFile)).toBe(false);
  });
});

describe('DirectoryLock', () => {
  it('lets one holder in at a time and waits for the others', async () => {
    const file = path.join(work, 'serial.lock');
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((n) => withDirectoryLock(file, async () => {
      inside++;
      most = Math.max(most, inside);
      await sleep(30);
      order.push(n);
      inside--;
    }, { pollMs: 10 })));
    expect(most).toBe(1);
    expect(order.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('gives up after its timeout with a message naming the holder, and works once the holder lets go', async () => {
    const file = path.join(work, 'held.lock');
    const held = await DirectoryLock.acquire(file);
    const content = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(content).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    await expect(DirectoryLock.acquire(file, { timeoutMs: 300, pollMs: 20, what: 'mirror of /srv/linux' }))
      .rejects.toThrow(`timed out after 0 s waiting for the lock ${file} (mirror of /srv/linux): held by pid ${process.pid} on ${os.hostname()} since ${content.since}`);
    held.release();
    const again = await DirectoryLock.acquire(file, { timeoutMs: 300 });
    again.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('does not remove a lock that is no longer its own', async () => {
    const file = path.join(work, 'broken.lock');
    const first = await DirectoryLock.acquire(file);
    // Someone judged it stale and took it over; the first holder's release must leave the new lock alone.
    fs.writeFileSync(file, JSON.stringify({ ...currentOwner(), token: 'other', since: new Date().toISOString() }));
    first.release();
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).token).toBe('other');
    fs.rmSync(file);
  });
});

describe('work directories of killed builds', () => {
  it('are swept with their worktrees when the owner is dead; live, kept and foreign ones stay', async () => {
    const cache = fs.mkdtempSync(path.join(work, 'cache-'));
    const mirrors = new KernelTreeMirror(cache);
    const mirror = await mirrors.update(repo);
    const commit = await mirrors.resolve(mirror, 'v1');
    const builds = path.join(cache, 'builds');
    const workDir = async (id: string, owner: Parameters<typeof writeBuildOwner>[1] | null) => {
      const dir = path.join(builds, id);
      fs.mkdirSync(dir, { recursive: true });
      if (owner) writeBuildOwner(dir, owner);
      await BuildWorktree.add(mirror, path.join(dir, 'src'), commit);
      fs.mkdirSync(path.join(dir, 'obj'));
      fs.writeFileSync(path.join(dir, 'obj', 'vmlinux.o'), 'objects');
      return dir;
    };
    const killed = await workDir('m0killed-0000000a', { owner: { pid: deadPid(), hostname: os.hostname(), startTime: null } });
    const running = await workDir('m0running-0000000b', {});
    const kept = await workDir('m0kept-0000000c', { keep: true, owner: { pid: deadPid(), hostname: os.hostname(), startTime: null } });
    const otherHost = await workDir('m0remote-0000000d', { owner: { pid: deadPid(), hostname: 'another-build-host', startTime: null } });
    // From before owner files (or killed before writing one): swept once it is old.
    const oldUnowned = await workDir('m0old-0000000e', null);
    const hoursAgo = new Date(Date.now() - 3 * 3600_000);
    fs.utimesSync(oldUnowned, hoursAgo, hoursAgo);
    const newUnowned = await workDir('m0new-0000000f', null);
    const notABuild = path.join(builds, 'notes');
    fs.mkdirSync(notABuild);
    expect(JSON.parse(fs.readFileSync(path.join(running, BUILD_OWNER_FILE), 'utf8'))).toMatchObject({ pid: process.pid, hostname: os.hostname(), keep: false });

    const worktrees = () => git('-C', mirror, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9));
    expect(worktrees()).toHaveLength(7);

    // The next build's mirror update sweeps.
    await mirrors.update(repo);
    for (const gone of [killed, oldUnowned]) expect(fs.existsSync(gone)).toBe(false);
    for (const stays of [running, kept, otherHost, newUnowned, notABuild]) expect(fs.existsSync(stays)).toBe(true);
    expect(worktrees().sort()).toEqual([mirror, ...[running, kept, otherHost, newUnowned].map((d) => path.join(d, 'src'))].sort());

    // Once the live builds are gone too, the mirror lists only itself.
    for (const d of [running, kept, otherHost, newUnowned]) fs.rmSync(d, { recursive: true, force: true });
    const r = await sweepStaleBuilds(cache);
    expect(r).toEqual({ removed: [], mirrors: [mirror] });
    expect(worktrees()).toEqual([mirror]);
  });
});

describe('the worktree pool', () => {
  const setup = async () => {
    const cache = fs.mkdtempSync(path.join(work, 'cache-'));
    const mirrors = new KernelTreeMirror(cache);
    const mirror = await mirrors.update(repo);
    return { cache, mirror, pool: new WorktreePool(cache), v1: await mirrors.resolve(mirror, 'v1') };
  };

  it('gives builds running together a slot each, and a released slot to the next build', async () => {
    const { mirror, pool, v1 } = await setup();
    const [a, b] = await Promise.all([pool.lease(mirror, v1), pool.lease(mirror, v1)]);
    expect([a.dir, b.dir].map((d) => path.basename(d)).sort()).toEqual(['0', '1']);
    for (const t of [a, b]) expect(git('-C', t.dir, 'rev-parse', 'HEAD')).toBe(v1);
    await a.release();
    const c = await pool.lease(mirror, v1);
    expect(c.dir).toBe(a.dir);
    await Promise.all([b.release(), c.release()]);
    // Released slots stay checked out for the next build; their locks are gone.
    expect(fs.readdirSync(pool.poolDir(mirror)).sort()).toEqual(['0', '1']);
  });

  it('hands out a slot at the new commit with nothing of the last build left: patches, new files, a half-done git am', async () => {
    const { cache, mirror, pool, v1 } = await setup();
    const first = await pool.lease(mirror, v1);
    // What a build does to its tree: patch commits, an edited file, an untracked file, a git am killed half-way.
    fs.writeFileSync(path.join(first.dir, 'file0.c'), 'patched\n');
    fs.writeFileSync(path.join(first.dir, 'new.c'), 'new\n');
    git('-C', first.dir, 'add', 'new.c');
    git('-C', first.dir, 'commit', '--quiet', '-am', 'a patch');
    fs.writeFileSync(path.join(first.dir, 'file1.c'), 'half-applied\n');
    fs.writeFileSync(path.join(first.dir, 'untracked.o'), 'junk\n');
    const gitDir = git('-C', first.dir, 'rev-parse', '--absolute-git-dir');
    fs.mkdirSync(path.join(gitDir, 'rebase-apply'));
    await first.release();

    // The tree moves on one commit; the next build asks for it.
    fs.writeFileSync(path.join(repo, 'file2.c'), 'int changed;\n');
    git('-C', repo, 'commit', '--quiet', '-am', 'upstream change');
    const head = git('-C', repo, 'rev-parse', 'HEAD');
    const mirrors = new KernelTreeMirror(cache);
    await mirrors.update(repo);
    const next = await pool.lease(mirror, await mirrors.resolve(mirror, head));
    expect(next.dir).toBe(first.dir);
    expect(git('-C', next.dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git('-C', next.dir, 'status', '--porcelain', '--ignored')).toBe('');
    expect(fs.existsSync(path.join(gitDir, 'rebase-apply'))).toBe(false);
    expect(fs.readFileSync(path.join(next.dir, 'file2.c'), 'utf8')).toBe('int changed;\n');
    expect(fs.existsSync(path.join(next.dir, 'new.c'))).toBe(false);
    await next.release();
    git('-C', repo, 'reset', '--quiet', '--hard', 'v1');
  });

  it('takes over the slot of a killed build and makes again a slot that is no longer a worktree', async () => {
    const { mirror, pool, v1 } = await setup();
    const root = pool.poolDir(mirror);
    fs.mkdirSync(path.join(root, '0'), { recursive: true });
    fs.writeFileSync(path.join(root, '0', 'leftover'), 'not a worktree');
    fs.writeFileSync(path.join(root, '0.lock'), JSON.stringify({ pid: deadPid(), hostname: os.hostname(), startTime: null, token: 'killed', since: '2025-01-01T00:00:00Z' }));
    const t = await pool.lease(mirror, v1);
    expect(t.dir).toBe(path.join(root, '0'));
    expect(git('-C', t.dir, 'rev-parse', 'HEAD')).toBe(v1);
    expect(fs.existsSync(path.join(t.dir, 'leftover'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(root, '0.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    await t.release();
    expect(fs.existsSync(path.join(root, '0.lock'))).toBe(false);
  });

  it('skips a slot a live process holds', async () => {
    const { mirror, pool, v1 } = await setup();
    const root = pool.poolDir(mirror);
    fs.mkdirSync(root, { recursive: true });
    const held = await DirectoryLock.acquire(path.join(root, '0.lock'));
    const t = await pool.lease(mirror, v1);
    expect(path.basename(t.dir)).toBe('1');
    await t.release();
    held.release();
  });
});
