import { E2eStack } from './e2e-stack';

/*
 * A real A/B job in the virtual lab: x86-01 boots the same kernel with and
 * without init_on_free=1, 5 runs each, alternating, and runs the memory
 * offline/online loop in each. init_on_free zeroes every page freed to the
 * buddy allocator, and onlining a 128 MiB block frees all of it: online
 * must cost measurably more, offline not much. The job compares the sides
 * itself and confirms the regression with a second round before it says so.
 */

const ONLINE = 'hotplug-offline-online.online';
const LOOP = { name: 'hotplug-offline-online', params: { iterations: 2, blocks: 2 } };

describe('an A/B job in the virtual lab: init_on_free=1 against the default, offline/online cost', () => {
  const stack = new E2eStack('/tmp/pfnlab-vlab-ab', 23300);

  beforeAll(async () => stack.start(), 600_000);
  afterAll(async () => stack.stop(), 120_000);

  it('finds online slower with init_on_free=1, confirms it in a second round, and shows the interval', async () => {
    // 5 runs a side, not the minimum 4: a boot that finds no movable block to loop over (it happens) leaves 4 against 5, still enough for p < 0.05.
    const job = stack.bootJob('x86-01', { tests: [LOOP], repeat: 5, baseline: { cmdline: ['movablecore=512M'] } }, ['movablecore=512M', 'init_on_free=1']);
    const id = await stack.submit(job);
    const deadline = Date.now() + 50 * 60_000;
    let view: { state: string; verdict: string | null; abState: string; abSummary: string | null; comparisonId: string | null; runs: Array<{ id: string; variant: string; round: number; verdict: string | null; verdictReason: string | null }> };
    for (;;) {
      view = await (await stack.server.api(`/api/jobs/${id}`)).json();
      if (view.state === 'finished' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    if (view.state !== 'finished') throw new Error(`A/B job not finished within 50 min: ${JSON.stringify(view)}\nagent log:\n${stack.agentLog.slice(-3000)}`);
    expect(view.runs.map((r) => `${r.round}${r.variant[0]} ${r.verdict}`)).toEqual(view.runs.map((r) => `${r.round}${r.variant[0]} PASS`));
    expect(view.runs.length).toBeGreaterThanOrEqual(8);

    const { items } = await (await stack.server.api(`/api/comparisons?job=${id}`)).json();
    const first = items.find((c: { round: number }) => c.round === 1);
    const online1 = first.results.find((r: { metric: string }) => r.metric === ONLINE);
    if (!online1) throw new Error(`no ${ONLINE} in round 1's comparison: ${JSON.stringify(first.results.map((r: { metric: string; n: number[] }) => [r.metric, r.n]))}\nresults of the first run: ${JSON.stringify(await (await stack.server.api(`/api/runs/${view.runs[0].id}/results`)).json()).slice(0, 3000)}`);
    // What the job measured, for the record (bench/README.md quotes it).
    process.stdout.write(`A/B round 1 ${ONLINE}: n=${online1.n} medians=${online1.medians} ratio=${online1.ratio} ci=${online1.ci} p=${online1.p} verdict=${online1.verdict}\n`);
    expect(online1.verdict).toBe('regression');
    expect(Math.min(...online1.n)).toBeGreaterThanOrEqual(4);
    expect(online1.ci[0]).toBeGreaterThan(1.05);
    expect(view.abState).toBe('regression-confirmed');
    // The payload's own measurement is named before the tracing counters that go with it.
    expect(view.abSummary).toMatch(new RegExp(`^regression confirmed in (hotplug-offline-online\\.offline, )?${ONLINE.replace('.', '\\.')}\\b`));
    const second = items.find((c: { round: number }) => c.round === 2);
    expect(second.id).toBe(view.comparisonId);
    expect(second.results.find((r: { metric: string }) => r.metric === ONLINE)).toMatchObject({ verdict: 'regression' });
    expect(view.runs.map((r) => `${r.round}${r.variant[0]}`)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2].flatMap((round) => [`${round}b`, `${round}c`]));
  }, 3_600_000);
});
