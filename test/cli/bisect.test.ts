import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BisectLab, BUILD_ERROR, PANIC } from '../api/bisect-fixtures';
import { makeGitHistory, type GitHistory } from '../support/git-history';
import { pfnlab } from '../support/pfnlab-cli';
import { startTestServer, type TestServer } from '../support/test-server';

describe('pfnlab bisect against a real server', () => {
  let s: TestServer;
  let lab: BisectLab;
  let repo: GitHistory;
  let dir: string;
  let env: Record<string, string>;
  let jobFile: string;

  beforeAll(async () => {
    s = await startTestServer({ label: 'clibisect', roles: 'api,workers' });
    lab = new BisectLab(s);
    await lab.open();
    // 8 commits; from commit 5 on the kernel panics at boot; 3 does not build.
    repo = makeGitHistory(8, 'cli-bisect');
    repo.commits.forEach((c, i) => lab.behaviours.set(c, i === 3 ? 'no-build' : i >= 5 ? 'panic' : 'boots'));
    dir = mkdtempSync(join(tmpdir(), 'pfnlab-cli-bisect-'));
    env = { XDG_CONFIG_HOME: dir, HOME: dir, PFNLAB_SERVER: s.url, PFNLAB_TOKEN: s.adminToken };
    jobFile = join(dir, 'job.yaml');
    writeFileSync(jobFile, `kernel:\n  tree: ${repo.dir}\n  ref: master\n  config: {base: tinyconfig}\narch: x86_64\ntarget:\n  selector: {tags: [bisect]}\n`);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    repo.remove();
    await lab.close();
    await s.close();
  });

  it('starts a bisection (--json), and `bisect show` prints the steps narrowing down to the culprit', async () => {
    const started = await pfnlab(['bisect', 'start', '--good', 'c0', '--bad', 'c7', '--criterion', `crash:"${PANIC}"`, '-f', jobFile, '--json'], env);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const b = JSON.parse(started.stdout);
    expect(b).toMatchObject({ state: 'running', good: 'c0', bad: 'c7', commitCount: 8, steps: [{ step: 1, commit: repo.commits[7], purpose: 'verify-bad', runs: 3 }] });

    await lab.serve(b.id);
    const shown = await pfnlab(['bisect', 'show', b.id], env);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines[0]).toBe(`bisection ${b.id}: found`);
    expect(lines[2]).toBe(`  range      c0 (${repo.commits[0].slice(0, 12)}) .. c7 (${repo.commits[7].slice(0, 12)}), 8 commits`);
    expect(lines[3]).toBe(`  criterion  crash:"${PANIC}"`);
    expect(shown.stdout).toContain(`   1. ${repo.commits[7].slice(0, 12)} #7 verify-bad 3 run(s), 7 left`);
    // "all N runs": the dispatcher may add a confirming rerun to each FAIL.
    expect(shown.stdout).toMatch(new RegExp(`\\n      bad: crashed with "${PANIC}" \\(all \\d+ runs\\)\\n`));
    expect(shown.stdout).toContain(`skip: does not build: ${BUILD_ERROR}`);
    expect(shown.stdout).toContain(`first bad commit: ${repo.commits[5]}`);
    expect(shown.stdout).toContain(`  last good ${repo.commits[4].slice(0, 12)}: no crash with the title`);

    const json = JSON.parse((await pfnlab(['bisect', 'show', b.id, '--json'], env)).stdout);
    expect(json).toMatchObject({ id: b.id, state: 'found', culprit: repo.commits[5] });
    const ls = await pfnlab(['bisect', 'ls'], env);
    expect(ls.stdout).toContain(b.id);
    expect(ls.stdout).toContain(repo.commits[5].slice(0, 12));
  });

  it('says what is wrong and what to do with a bad criterion or a swapped range', async () => {
    const crit = await pfnlab(['bisect', 'start', '--good', 'c0', '--bad', 'c7', '--criterion', 'panic', '-f', jobFile], env);
    expect(crit.code).toBe(1);
    expect(crit.stderr).toMatch(/invalid criterion: /);
    expect(crit.stderr).toContain('criteria: boot, crash:"TITLE"');
    const swapped = await pfnlab(['bisect', 'start', '--good', 'c7', '--bad', 'c0', '--criterion', 'boot', '-f', jobFile], env);
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toContain('is not an ancestor of bad');
    expect(swapped.stderr).toContain('git log --oneline GOOD..BAD');
    const badId = await pfnlab(['bisect', 'show', 'nope'], env);
    expect(badId.code).toBe(2);
  });
});
