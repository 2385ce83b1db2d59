import { randomUUID } from 'node:crypto';
import { makeGitHistory, type GitHistory } from '../support/git-history';
import { startTestServer, tokenFor, type TestServer } from '../support/test-server';
import { BisectLab, BUILD_ERROR, PANIC } from './bisect-fixtures';

/*
 * Bisections through the real server, dispatcher, queue and database, with
 * this test as the lab's agent (bisect-fixtures.ts): for each run of a step
 * job it reports the build and the verdict that the commit under test
 * deserves, as an agent would after building and booting it. The range is
 * a real git history made here.
 */

describe('bisections: the server bisects a git range step by step through normal jobs', () => {
  let s: TestServer;
  let lab: BisectLab;
  let repo: GitHistory;
  let small: GitHistory;

  beforeAll(async () => {
    s = await startTestServer({ label: 'bisect', roles: 'api,workers' });
    lab = new BisectLab(s);
    await lab.open();
    // 16 commits: from commit 11 on the kernel panics at boot with PANIC (13 with another title instead); 6 and 7 do not build.
    repo = makeGitHistory(16);
    repo.commits.forEach((c, i) => lab.behaviours.set(c, i === 6 || i === 7 ? 'no-build' : i === 13 ? 'other-crash' : i >= 11 ? 'panic' : 'boots'));
    // 4 commits: 1 and 2 do not build, 3 panics: only unbuildable commits lie between good and bad.
    small = makeGitHistory(4, 'bisect-small');
    small.commits.forEach((c, i) => lab.behaviours.set(c, i === 0 ? 'boots' : i === 3 ? 'panic' : 'no-build'));
  });
  afterAll(async () => {
    await lab.close();
    await s.close();
    repo.remove();
    small.remove();
  });

  const spec = (tree: string) => lab.spec(tree);
  const start = (body: object, token?: string) => s.api('/api/bisections', { method: 'POST', json: body, token });
  const show = async (id: string) => (await s.api(`/api/bisections/${id}`)).json();
  const serve = (id: string) => lab.serve(id);

  it('finds the first commit that panics, skipping a commit that does not build, within ceil(log2 n) + 1 steps plus skips', async () => {
    const res = await start({ spec: spec(repo.dir), good: 'c0', bad: 'c15', criterion: `crash:"${PANIC}"` });
    const created = await res.json();
    expect(res.status).toBe(201);
    expect(created).toMatchObject({ state: 'running', good: 'c0', bad: 'c15', goodCommit: repo.commits[0], badCommit: repo.commits[15], commitCount: 16, tree: repo.dir });
    // The first step is submitted before the answer: the bad endpoint, verified with 3 runs.
    expect(created.steps).toEqual([expect.objectContaining({ step: 1, commit: repo.commits[15], index: 15, purpose: 'verify-bad', runs: 3, verdict: 'testing' })]);
    const job = await (await s.api(`/api/jobs/${created.steps[0].jobId}`)).json();
    expect(job).toMatchObject({ name: `bisect ${repo.commits[15].slice(0, 12)} step 1`, spec: { kernel: { tree: repo.dir, ref: repo.commits[15] }, repeat: 3 } });
    expect(created.progress).toMatch(/^step 1\/≈5: verifying the bad endpoint [0-9a-f]{12}, 3 runs \(15 commits left\)$/);

    const served = await serve(created.id);
    const b = await show(created.id);
    expect(b).toMatchObject({ state: 'found', culprit: repo.commits[11], currentJobId: null, result: { kind: 'found', culprit: repo.commits[11] } });
    expect(b.result.lastGood.commit).toBe(repo.commits[10]);
    expect(b.result.firstBad).toMatchObject({ commit: repo.commits[11], verdict: 'bad' });
    expect(b.result.firstBad.reason).toContain(PANIC);
    expect(b.conclusion).toBe(b.progress);
    expect(b.conclusion).toMatch(new RegExp(`^found in \\d+ steps: ${repo.commits[11].slice(0, 12)} is the first bad commit`));

    // Steps: distinct commits tested. An unbuildable commit was tested and skipped, and only skips go beyond the bound.
    const tested = [...new Set(b.steps.map((x: { commit: string }) => x.commit))] as string[];
    const skipped = b.steps.filter((x: { verdict: string }) => x.verdict === 'skip');
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    for (const x of skipped) {
      expect([repo.commits[6], repo.commits[7]]).toContain(x.commit);
      expect(x.reason).toBe(`does not build: ${BUILD_ERROR}`);
    }
    expect(tested.length).toBeLessThanOrEqual(Math.ceil(Math.log2(16)) + 1 + skipped.length);
    expect(b.result.steps).toBe(tested.length);
    // Commit 13 (another crash title) and the culprit's neighbours are never needed; every run served was of a tested commit.
    expect(new Set(served)).toEqual(new Set(tested));
    expect(tested).not.toContain(repo.commits[13]);
    // Each step's job and its runs are recorded; the range narrowed down to the culprit.
    for (const x of b.steps) {
      expect(x.finishedAt).not.toBeNull();
      // At least the runs asked for: the dispatcher may add a confirming rerun of a FAIL.
      expect(x.runIds.length).toBeGreaterThanOrEqual(x.runs);
    }
    const left = b.steps.map((x: { commitsLeft: number }) => x.commitsLeft);
    expect(left[0]).toBe(15);
    expect(left).toEqual([...left].sort((p: number, q: number) => q - p));
    expect(b.remaining).toMatchObject({ lastGood: repo.commits[10], firstBad: repo.commits[11], count: 1, candidates: [repo.commits[11]] });
    expect(b.steps.find((x: { commit: string }) => x.commit === repo.commits[11])).toMatchObject({ verdict: 'bad' });
    expect(b.steps.find((x: { commit: string }) => x.commit === repo.commits[10])).toMatchObject({ verdict: 'good' });

    const list = await (await s.api('/api/bisections?limit=10')).json();
    expect(list.items.find((x: { id: string }) => x.id === created.id)).toMatchObject({ state: 'found', culprit: repo.commits[11], steps: b.steps.length });
  });

  it('says honestly that a range whose only candidates do not build cannot be bisected', async () => {
    const res = await start({ spec: spec(small.dir), good: 'c0', bad: 'c3', criterion: `crash:"${PANIC}"` });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const served = await serve(id);
    const b = await show(id);
    expect(b).toMatchObject({ state: 'cannot-bisect', culprit: null, result: { kind: 'cannot-bisect', reason: 'only-skipped-left', candidates: [small.commits[1], small.commits[2], small.commits[3]], candidateCount: 3 } });
    expect(b.conclusion).toMatch(/only skipped commits left/);
    // The bad endpoint, both unbuildable commits, and the good endpoint, which the answer rests on.
    expect(b.progress).toMatch(/^cannot be bisected after 4 steps: /);
    expect(new Set(served)).toEqual(new Set(small.commits));
    expect(b.steps.find((x: { commit: string }) => x.commit === small.commits[0])).toMatchObject({ verdict: 'good' });
    expect(b.steps.filter((x: { verdict: string }) => x.verdict === 'skip').map((x: { commit: string }) => x.commit).sort()).toEqual([small.commits[1], small.commits[2]].sort());
  });

  it('refuses a bad criterion, naming it', async () => {
    const res = await start({ spec: spec(repo.dir), good: 'c0', bad: 'c15', criterion: 'crash:"unclosed' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.message).toMatch(/^invalid criterion: /);
    expect(body.problems).toEqual([{ path: 'criterion', message: expect.stringContaining('boot | crash:"TITLE" | metric:NAME>+X%') }]);
    const metric = await start({ spec: spec(repo.dir), good: 'c0', bad: 'c15', criterion: 'metric:hotplug.online>5%' });
    expect(metric.status).toBe(400);
    expect((await metric.json()).problems[0].path).toBe('criterion');
  });

  it('refuses a good ref that is not an ancestor of the bad one, a ref the tree lacks, and a shell-like ref', async () => {
    const swapped = await start({ spec: spec(repo.dir), good: 'c15', bad: 'c0', criterion: 'boot' });
    expect(swapped.status).toBe(400);
    const body = await swapped.json();
    expect(body.message).toBe(`good ${repo.commits[15].slice(0, 12)} is not an ancestor of bad ${repo.commits[0].slice(0, 12)}: bisection needs the good commit before the bad one in history (swapped good and bad?)`);
    expect(body.problems[0].path).toBe('good');
    const missing = await start({ spec: spec(repo.dir), good: 'c0', bad: 'v9.99', criterion: 'boot' });
    expect(missing.status).toBe(400);
    expect((await missing.json()).message).toBe('bad: ref "v9.99" is not a commit of the tree; name a branch, a tag or a commit of it');
    const shell = await start({ spec: spec(repo.dir), good: '$(reboot)', bad: 'c15', criterion: 'boot' });
    expect(shell.status).toBe(400);
    expect((await shell.json()).problems).toEqual([{ path: 'good', message: expect.stringMatching(/not a safe git ref/) }]);
    expect((await lab.pg.query(`SELECT count(*)::int AS n FROM bisections WHERE good_ref IN ('c15', '$(reboot)') OR bad_ref = 'v9.99'`)).rows[0].n).toBe(0);
  });

  it('refuses a spec whose kernel is not built from a tree, and an invalid spec, with the field paths', async () => {
    const image = await start({ spec: { kernel: { image: '/boot/vmlinuz' }, arch: 'x86_64', target: { machine: 'bi-01' } }, good: 'c0', bad: 'c15', criterion: 'boot' });
    expect(image.status).toBe(400);
    expect((await image.json()).problems).toEqual([{ path: 'spec.kernel', message: expect.stringContaining('{tree, ref, ...}') }]);
    const yaml = await start({ spec: 'kernel:\n  tree: /srv/linux\n  ref: master\narch: sparc\ntarget: {machine: bi-01}\n', good: 'c0', bad: 'c15', criterion: 'boot' });
    expect(yaml.status).toBe(400);
    expect((await yaml.json()).problems).toEqual([expect.objectContaining({ path: 'spec.arch', line: 4 })]);
  });

  it('lets viewers read and only operators start or cancel; cancel stops the step job', async () => {
    const viewer = (await tokenFor(s, 'bisect-viewer', 'viewer')).token;
    const denied = await start({ spec: spec(repo.dir), good: 'c0', bad: 'c15', criterion: 'boot' }, viewer);
    expect(denied.status).toBe(403);
    const res = await start({ spec: spec(repo.dir), good: 'c0', bad: 'c15', criterion: 'boot' });
    expect(res.status).toBe(201);
    const { id, steps } = await res.json();
    expect((await s.api(`/api/bisections/${id}`, { token: viewer })).status).toBe(200);
    expect((await s.api(`/api/bisections/${id}/cancel`, { method: 'POST', token: viewer })).status).toBe(403);
    const canceled = await s.api(`/api/bisections/${id}/cancel`, { method: 'POST' });
    expect(canceled.status).toBe(200);
    expect(await canceled.json()).toMatchObject({ state: 'canceled', conclusion: 'canceled by admin', currentJobId: null });
    expect((await (await s.api(`/api/jobs/${steps[0].jobId}`)).json()).state).toBe('canceled');
    const again = await s.api(`/api/bisections/${id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await s.api(`/api/bisections/${randomUUID()}`)).status).toBe(404);
  });
});
