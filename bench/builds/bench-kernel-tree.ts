/*
 * The build benchmark's own copy of the offline kernel tree: a plain
 * checkout (the bare `make` baseline builds in it, as a developer would)
 * with one extra commit on a branch, a trivial change to one .c file, for
 * the ccache rebuild. A copy, so the shared tree in ~/.cache/pfnlab that the
 * tests use never sees the bench's commit.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const BASE_REF = 'v6.1-debian';
export const CHANGED_REF = 'bench-one-change';
/** Compiled in every config (tinyconfig too) and at the heart of what pfnlab's users change. */
export const CHANGED_FILE = 'mm/page_alloc.c';

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, '-c', 'user.name=pfnlab-bench', '-c', 'user.email=bench@localhost', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' }).trim();

/** The offline test tree (deploy/builds/prepare-kernel-tree.sh: Debian's linux-source-6.1 as git), made once per machine. */
export function sharedKernelTree(repo: string, dir: string): string {
  execFileSync(path.join(repo, 'deploy', 'builds', 'prepare-kernel-tree.sh'), [dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return dir;
}

/**
 * Clones `shared` into `dir` (a local clone: objects are hard links, only
 * the checkout costs), commits the one-file change on CHANGED_REF and
 * leaves the checkout at BASE_REF. Returns the two commits.
 */
export function makeBenchTree(shared: string, dir: string): { base: string; changed: string } {
  fs.rmSync(dir, { recursive: true, force: true });
  execFileSync('git', ['clone', '--quiet', '--', shared, dir]);
  git(dir, 'checkout', '--quiet', '-b', CHANGED_REF, BASE_REF);
  // A real code change (a new object in page_alloc.o), not a comment the preprocessor would hide from ccache.
  fs.appendFileSync(path.join(dir, CHANGED_FILE), '\n/* pfnlab bench: a one-commit change */\nconst char pfnlab_bench_marker[] = "one-commit change";\n');
  git(dir, 'commit', '--quiet', '-a', '-m', 'mm: a one-line change for the build benchmark');
  const changed = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '--quiet', '--detach', BASE_REF);
  return { base: git(dir, 'rev-parse', 'HEAD'), changed };
}
