import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A local git repository with a line of commits, for bisection tests: commit i adds file `change-i`, tagged `c<i>`. */
export interface GitHistory {
  dir: string;
  /** Full commit names, oldest first. */
  commits: string[];
  remove(): void;
}

export function makeGitHistory(count: number, label = 'bisect'): GitHistory {
  const dir = mkdtempSync(join(tmpdir(), `pfnlab-${label}-repo-`));
  const env = {
    ...process.env, GIT_AUTHOR_NAME: 'pfnlab test', GIT_AUTHOR_EMAIL: 'test@pfnlab.invalid', GIT_COMMITTER_NAME: 'pfnlab test',
    GIT_COMMITTER_EMAIL: 'test@pfnlab.invalid', GIT_CONFIG_NOSYSTEM: '1', HOME: dir,
  };
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env, encoding: 'utf8' }).trim();
  git('init', '--quiet', '--initial-branch=master');
  const commits: string[] = [];
  for (let i = 0; i < count; i++) {
    writeFileSync(join(dir, `change-${i}`), `change ${i}\n`);
    git('add', '--', `change-${i}`);
    git('commit', '--quiet', '-m', `mm: change ${i}`);
    git('tag', `c${i}`);
    commits.push(git('rev-parse', 'HEAD'));
  }
  return { dir, commits, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
