import { readSse, type SseEvent } from '../../apps/cli/src/sse-client';
import type { TestServer } from '../support/test-server';
import { BuildLab, useBuildLab, buildResult, newBuildId, REQUEST } from './build-fixtures';

/** Collects a build's live events until the server ends the stream (or `ms` pass). */
function follow(s: TestServer, token: string, buildId: string, ms = 15_000) {
  const events: SseEvent[] = [];
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  const done = (async () => {
    try {
      for await (const ev of readSse(`${s.url}/api/builds/${buildId}/events`, token, abort.signal)) events.push(ev);
    } catch (e) {
      if (!abort.signal.aborted) throw e;
    } finally {
      clearTimeout(timer);
    }
    return { events, aborted: abort.signal.aborted };
  })();
  const waitFor = async (pred: (e: SseEvent[]) => boolean) => {
    const deadline = Date.now() + ms;
    while (!pred(events) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return events;
  };
  return { done, waitFor, stop: () => abort.abort() };
}

describe('live build progress over Server-Sent Events', () => {
  let s: TestServer;
  let lab: BuildLab;
  let viewer: string;

  useBuildLab('buildslive', (x) => ({ s, lab, viewer } = x));

  it('sends the state, each progress report as it is stored, then the final build, and ends', async () => {
    const run = await lab.leasedRun();
    const id = newBuildId();
    await lab.push(lab.running(run, id, { request: REQUEST, progress: { phase: 'config', percent: null, message: 'olddefconfig' } }));
    await lab.settle();

    const live = follow(s, viewer, id);
    const first = await live.waitFor((e) => e.length >= 1);
    expect(first[0].event).toBe('state');
    expect(JSON.parse(first[0].data)).toMatchObject({ id, status: 'running', progress: { phase: 'config', message: 'olddefconfig' } });

    const t0 = Date.now();
    await lab.push(lab.running(run, id, { progress: { phase: 'compile', percent: 12, message: '350/2900 objects' } }));
    const withProgress = await live.waitFor((e) => e.some((x) => x.event === 'progress'));
    expect(Date.now() - t0).toBeLessThan(2000);
    const progress = withProgress.filter((x) => x.event === 'progress').map((x) => JSON.parse(x.data));
    expect(progress).toEqual([{ phase: 'compile', percent: 12, message: '350/2900 objects', updatedAt: expect.any(String) }]);

    await lab.push(lab.running(run, id, { progress: { phase: 'compile', percent: 87, message: '2523/2900 objects' } }));
    await lab.push(lab.finished(run, id, buildResult({ status: 'FAIL', title: 'undefined reference to `vmemmap_populate_hugepages\'' })));
    const { events, aborted } = await live.done;
    expect(aborted).toBe(false);
    expect(events.map((e) => e.event)).toEqual(['state', 'progress', 'progress', 'end']);
    expect(JSON.parse(events[2].data)).toMatchObject({ percent: 87 });
    const end = JSON.parse(events[3].data);
    expect(end).toMatchObject({ id, status: 'FAIL', title: 'undefined reference to `vmemmap_populate_hugepages\'', progress: null, image: 'bzImage' });
    expect(end).not.toHaveProperty('log');
  });

  it('gives a finished build its state and end at once', async () => {
    const run = await lab.leasedRun();
    const id = newBuildId();
    await lab.push(lab.finished(run, id));
    await lab.settle();
    const { events, aborted } = await follow(s, viewer, id, 5000).done;
    expect(aborted).toBe(false);
    expect(events.map((e) => e.event)).toEqual(['state', 'end']);
    expect(JSON.parse(events[1].data)).toMatchObject({ id, status: 'PASS' });
  });

  it('ends the stream when the run is lost mid-build', async () => {
    const run = await lab.leasedRun();
    const id = newBuildId();
    await lab.push(lab.running(run, id, { request: REQUEST, progress: { phase: 'compile', percent: 3 } }));
    await lab.settle();
    const live = follow(s, viewer, id);
    await live.waitFor((e) => e.length >= 1);
    await lab.push({ type: 'finished', runId: run.runId, leaseToken: '7', consoleLines: 0, machineState: 'unknown', at: new Date().toISOString() });
    const { events } = await live.done;
    expect(events.map((e) => e.event)).toEqual(['state', 'end']);
    expect(JSON.parse(events[1].data)).toMatchObject({ status: 'ERROR', title: expect.stringMatching(/^the run ended before its build finished/) });
  });

  it('refuses an unknown build with 404 before streaming, and a request without a token', async () => {
    const r = await s.api('/api/builds/00000000-0000-4000-8000-000000000000/events', { token: viewer });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/json/);
    expect((await s.api(`/api/builds/${newBuildId()}/events`, { token: null })).status).toBe(401);
  });
});
