import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GIT_REF_RE, TREE_URL_RE } from '@pfnlab/contracts';
import { MAX_COMMITS } from '@pfnlab/bisect';

/*
 * The commit range of a bisection, from a bare mirror of the tree kept in
 * the server's state directory (one per tree URL, as the agent's builder
 * keeps its own: apps/agent/src/build/kernel-tree-mirror.ts). git runs
 * through execFile with an argument vector, never a shell; the tree URL and
 * the refs are checked against the job spec's grammars first and passed
 * after `--` / `--end-of-options`, so none can be read as an option.
 *
 * The range is `git rev-list --first-parent --ancestry-path --reverse
 * GOOD..BAD` with GOOD put in front. libs/bisect needs one line of history
 * ("bad from some point on" only holds on a line): on a line every commit
 * contains the one before it. --topo-order over all of GOOD..BAD is not a
 * line: a commit of a merged topic branch sits next to mainline commits it
 * is no ancestor of, so a bug can look like it comes and goes. First parent
 * makes a merged branch one step (its merge), as `git bisect
 * --first-parent` does: bisect that branch next. --ancestry-path keeps only
 * descendants of GOOD, so when GOOD sits on a merged branch the line starts
 * at the merge that brought it in, not at older mainline commits.
 */

/** A request git cannot satisfy: the message says what is wrong and what to do (the API answers 400). */
export class GitRangeError extends Error {
  override name = 'GitRangeError';
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

const GIT_TIMEOUT_MS = 60 * 60_000;

function git(args: string[], maxBuffer = 16 * 1024 * 1024): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      // No prompt for credentials: a private tree fails with a message instead of hanging the request.
      { env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' }, timeout: GIT_TIMEOUT_MS, maxBuffer, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
        resolve({ code, stdout: String(stdout ?? ''), stderr: String(stderr ?? '') || (err && code === -1 ? err.message : '') });
      },
    );
  });
}

const lastLine = (s: string) => s.trim().split('\n').slice(-1)[0] ?? '';

export class TreeMirrors {
  /** Updates of one mirror in this process take turns (git also locks its refs against other processes). */
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(private readonly root: string) {}

  /** The mirror's directory: readable name plus a hash of the URL, so two trees never collide. */
  mirrorDir(tree: string): string {
    const base = path.basename(tree.replace(/\/+$/, '')).replace(/\.git$/, '').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'tree';
    const hash = createHash('sha256').update(tree).digest('hex').slice(0, 12);
    return path.join(this.root, 'mirrors', `${base}-${hash}.git`);
  }

  /** Clones the tree once, fetches it afterwards; returns the mirror's directory. */
  async update(tree: string): Promise<string> {
    if (!TREE_URL_RE.test(tree)) throw new GitRangeError(`"${tree}" is not a git URL (https://, git://, ssh://, user@host:path) or an absolute local path`);
    const dir = this.mirrorDir(tree);
    const before = this.busy.get(dir) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(() => this.cloneOrFetch(tree, dir));
    this.busy.set(dir, mine);
    try {
      return await mine;
    } finally {
      if (this.busy.get(dir) === mine) this.busy.delete(dir);
    }
  }

  private async cloneOrFetch(tree: string, dir: string): Promise<string> {
    if (fs.existsSync(path.join(dir, 'HEAD'))) {
      const r = await git(['-C', dir, 'fetch', '--prune', '--tags', '--force', 'origin']);
      if (r.code !== 0) throw new GitRangeError(`cannot fetch ${tree}: ${lastLine(r.stderr)}`);
      return dir;
    }
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    // Clone next to the final place and rename: an interrupted clone is never mistaken for a mirror.
    const tmp = `${dir}.partial-${process.pid}-${Date.now()}`;
    const r = await git(['clone', '--mirror', '--quiet', '--', tree, tmp]);
    if (r.code !== 0) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new GitRangeError(`cannot clone ${tree}: ${lastLine(r.stderr)}; check the tree URL and that the server can read it`);
    }
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      // Another replica on this host finished its clone first: use that one.
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(path.join(dir, 'HEAD'))) throw e;
    }
    return dir;
  }

  /** The commit a ref names in the mirror (a branch, a tag or a hash). */
  async resolve(mirror: string, ref: string, which: 'good' | 'bad'): Promise<string> {
    if (!GIT_REF_RE.test(ref)) throw new GitRangeError(`${which}: "${ref}" is not a safe git ref (letters, digits, "._/+-", no "..")`);
    const r = await git(['-C', mirror, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
    const commit = r.stdout.trim();
    if (r.code !== 0 || !/^[0-9a-f]{40,64}$/.test(commit)) throw new GitRangeError(`${which}: ref "${ref}" is not a commit of the tree; name a branch, a tag or a commit of it`);
    return commit;
  }

  /**
   * The line from good to bad, oldest first, good at [0] and bad last.
   * Refuses a good commit that is not an ancestor of the bad one, an empty
   * range and one longer than libs/bisect takes.
   */
  async range(mirror: string, good: string, bad: string, limit = MAX_COMMITS): Promise<string[]> {
    if (good === bad) throw new GitRangeError('good and bad are the same commit: there is nothing to bisect');
    const anc = await git(['-C', mirror, 'merge-base', '--is-ancestor', good, bad]);
    if (anc.code === 1) {
      throw new GitRangeError(`good ${good.slice(0, 12)} is not an ancestor of bad ${bad.slice(0, 12)}: bisection needs the good commit before the bad one in history (swapped good and bad?)`);
    }
    if (anc.code !== 0) throw new GitRangeError(`cannot compare ${good.slice(0, 12)} and ${bad.slice(0, 12)}: ${lastLine(anc.stderr)}`);
    const r = await git(
      ['-C', mirror, 'rev-list', '--first-parent', '--ancestry-path', '--reverse', `--max-count=${limit}`, `${good}..${bad}`],
      (limit + 1) * 66,
    );
    if (r.code !== 0) throw new GitRangeError(`cannot list the commits between ${good.slice(0, 12)} and ${bad.slice(0, 12)}: ${lastLine(r.stderr)}`);
    const listed = r.stdout.split('\n').filter(Boolean);
    if (listed.length === 0) throw new GitRangeError(`there are no commits between good ${good.slice(0, 12)} and bad ${bad.slice(0, 12)}`);
    const commits = [good, ...listed];
    if (commits.length > limit) throw new GitRangeError(`the range has more than ${limit} commits; pick a good commit closer to the bad one`);
    if (commits[commits.length - 1] !== bad) throw new GitRangeError(`bad ${bad.slice(0, 12)} is not on the first-parent line from good ${good.slice(0, 12)}`);
    return commits;
  }
}
