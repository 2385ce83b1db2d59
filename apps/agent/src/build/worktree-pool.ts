import * as fs from 'node:fs';
import * as path from 'node:path';
import { BuildStop } from './build-types';
import { BuildWorktree, type BuildSourceTree } from './build-worktree';
import { lastLines, runCommand } from './command-runner';
import { DirectoryLock } from './directory-lock';

/** More builds of one tree at once than this on one host is a configuration error, not a reason for more 1.5 GB checkouts. */
const MAX_SLOTS = 16;

/**
 * Worktrees that outlive a build, per mirror: <cacheDir>/worktrees/<mirror>/<n>/.
 * A build leases a free slot (a lock file per slot, taken over from a dead
 * holder) and moves it to its commit with a forced checkout and a clean,
 * which rewrite only the files that differ. A fresh worktree of a kernel
 * tree is 75,000 files and 15–30 s on two cores, its removal 10 s more
 * (bench/README.md "Kernel builds"); a checkout between nearby commits is
 * about a second. Builds use out-of-tree object directories, so nothing
 * but the patches ever changes a slot, and the reset undoes them.
 */
export class WorktreePool {
  constructor(private readonly cacheDir: string) {}

  poolDir(mirror: string): string {
    return path.join(this.cacheDir, 'worktrees', path.basename(mirror).replace(/\.git$/, ''));
  }

  async lease(mirror: string, commit: string): Promise<BuildSourceTree> {
    const root = this.poolDir(mirror);
    fs.mkdirSync(root, { recursive: true });
    for (let n = 0; n < MAX_SLOTS; n++) {
      const lock = DirectoryLock.tryAcquire(path.join(root, `${n}.lock`));
      if (!lock) continue;
      const dir = path.join(root, String(n));
      try {
        await moveTo(mirror, dir, commit);
      } catch (e) {
        lock.release();
        throw e;
      }
      return { dir, release: async () => lock.release() };
    }
    throw new BuildStop('ERROR', `all ${MAX_SLOTS} worktrees of ${path.basename(mirror)} are in use`, `at most ${MAX_SLOTS} builds of one tree run at once on a host (PFNLAB_BUILD_SLOTS)`);
  }
}

/** Puts the slot at commit with nothing else in it, or makes it again when it is not a usable worktree of this mirror. */
async function moveTo(mirror: string, dir: string, commit: string): Promise<void> {
  if (await reset(dir, commit)) return;
  await BuildWorktree.add(mirror, dir, commit);
}

async function reset(dir: string, commit: string): Promise<boolean> {
  if (!fs.existsSync(path.join(dir, '.git'))) return false;
  // A build killed in the middle of `git am` leaves its state behind; the next `git am` would refuse to start.
  const gitDir = await runCommand(['git', '-C', dir, 'rev-parse', '--absolute-git-dir']);
  if (gitDir.code !== 0) return false;
  fs.rmSync(path.join(gitDir.stdout.trim(), 'rebase-apply'), { recursive: true, force: true });
  const checkout = await runCommand(['git', '-C', dir, 'checkout', '--detach', '--force', '--quiet', commit]);
  if (checkout.code !== 0) return false;
  const clean = await runCommand(['git', '-C', dir, 'clean', '-ffdxq']);
  if (clean.code !== 0) throw new BuildStop('ERROR', `cannot clean the worktree ${dir}`, lastLines(clean.output, 10));
  return true;
}
