import * as fs from 'node:fs';
import { BuildStop } from './build-types';
import { lastLines, runCommand } from './command-runner';

/** The source tree a build works in, checked out at its commit; release() when the build is done with it. */
export interface BuildSourceTree {
  readonly dir: string;
  release(): Promise<void>;
}

/**
 * A detached git worktree of the mirror for one build, removed on release:
 * what a build that keeps its work directory (debugging) gets, and how the
 * worktree pool creates its slots.
 */
export class BuildWorktree implements BuildSourceTree {
  private constructor(readonly mirror: string, readonly dir: string, readonly commit: string) {}

  static async add(mirror: string, dir: string, commit: string): Promise<BuildWorktree> {
    if (fs.existsSync(dir)) await BuildWorktree.removeDir(mirror, dir);
    const r = await runCommand(['git', '-C', mirror, 'worktree', 'add', '--detach', '--quiet', '--', dir, commit]);
    if (r.code !== 0) throw new BuildStop('ERROR', `cannot check out ${commit.slice(0, 12)}`, lastLines(r.output, 10));
    return new BuildWorktree(mirror, dir, commit);
  }

  async release(): Promise<void> {
    await BuildWorktree.removeDir(this.mirror, this.dir);
  }

  static async removeDir(mirror: string, dir: string): Promise<void> {
    await runCommand(['git', '-C', mirror, 'worktree', 'remove', '--force', '--', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
    await runCommand(['git', '-C', mirror, 'worktree', 'prune']);
  }
}
