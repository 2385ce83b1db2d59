import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GIT_REF_RE, TREE_URL_RE } from '@pfnlab/contracts';
import { BuildStop } from './build-types';
import { lastLines, runCommand } from './command-runner';
import { withDirectoryLock } from './directory-lock';
import { sweepStaleBuilds } from './stale-build-sweeper';

/** How long a build waits for another one's clone or fetch of the same tree (a first kernel clone is slow). */
const MIRROR_LOCK_TIMEOUT_MS = 60 * 60_000;

/**
 * One bare mirror per tree URL under the cache directory, cloned once and
 * fetched before each build, so builds of the same tree share objects and a
 * ref is resolved to a commit in one place. A local path is a valid tree URL.
 */
export class KernelTreeMirror {
  constructor(private readonly cacheDir: string, private readonly lockTimeoutMs = MIRROR_LOCK_TIMEOUT_MS) {}

  /** The mirror's directory: readable name plus a hash of the URL, so two trees never collide. */
  mirrorDir(tree: string): string {
    const base = path.basename(tree.replace(/\/+$/, '')).replace(/\.git$/, '').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'tree';
    const hash = createHash('sha256').update(tree).digest('hex').slice(0, 12);
    return path.join(this.cacheDir, 'mirrors', `${base}-${hash}.git`);
  }

  /**
   * Clones or fetches the mirror; returns its directory. Builds of the same
   * tree starting together take turns (a lock per mirror): one clones, the
   * others then fetch. Work directories of killed builds are swept first.
   */
  async update(tree: string): Promise<string> {
    if (!TREE_URL_RE.test(tree)) throw new BuildStop('ERROR', `"${tree}" is not a git URL or an absolute local path`);
    const dir = this.mirrorDir(tree);
    // A failed sweep costs disk space, not this build.
    await sweepStaleBuilds(this.cacheDir).catch(() => undefined);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    try {
      return await withDirectoryLock(`${dir}.lock`, () => this.cloneOrFetch(tree, dir), { timeoutMs: this.lockTimeoutMs, what: `mirror of ${tree}` });
    } catch (e) {
      if (e instanceof BuildStop) throw e;
      throw new BuildStop('ERROR', `cannot update the mirror of ${tree}: ${(e as Error).message}`);
    }
  }

  private async cloneOrFetch(tree: string, dir: string): Promise<string> {
    if (fs.existsSync(path.join(dir, 'HEAD'))) {
      const r = await runCommand(['git', '-C', dir, 'fetch', '--prune', '--tags', '--force', 'origin']);
      if (r.code !== 0) throw new BuildStop('ERROR', `cannot fetch ${tree}`, lastLines(r.output, 10));
      return dir;
    }
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    // Clone next to the final place and rename: an interrupted clone is never mistaken for a mirror.
    const tmp = `${dir}.partial-${process.pid}`;
    // Under the lock, any partial clone is one a killed process left behind.
    for (const name of fs.readdirSync(path.dirname(dir))) {
      if (name.startsWith(`${path.basename(dir)}.partial-`)) fs.rmSync(path.join(path.dirname(dir), name), { recursive: true, force: true });
    }
    const r = await runCommand(['git', 'clone', '--mirror', '--quiet', '--', tree, tmp]);
    if (r.code !== 0) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new BuildStop('ERROR', `cannot clone ${tree}`, lastLines(r.output, 10));
    }
    fs.renameSync(tmp, dir);
    return dir;
  }

  /** The commit a ref names in the mirror (a branch, a tag, or a hash). */
  async resolve(mirror: string, ref: string): Promise<string> {
    if (!GIT_REF_RE.test(ref)) throw new BuildStop('ERROR', `"${ref}" is not a safe git ref`);
    const r = await runCommand(['git', '-C', mirror, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
    const commit = r.stdout.trim();
    if (r.code !== 0 || !/^[0-9a-f]{40,64}$/.test(commit)) throw new BuildStop('ERROR', `ref "${ref}" is not in the tree`, 'name a branch, a tag or a commit of the tree');
    return commit;
  }
}
