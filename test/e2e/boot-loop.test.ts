import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Inventory } from '@pfnlab/contracts';
import { REPO, sleep } from '../machines/vlab-fixture';
import { E2eStack } from './e2e-stack';

/**
 * The core loop end to end, through the API: queued job -> dispatched to the
 * agent -> console captured from before power-on -> kernel booted through
 * IPMI (HMC for the LPAR) -> verdict. tx2-01's console goes through ser2net
 * (telnet), so that a silent BMC shows in the power step rather than in SOL.
 */
function tx2OnSer2net(inv: Inventory, withServers: Inventory): Inventory {
  return {
    ...inv,
    machines: inv.machines.map((m) => {
      if (m.name !== 'tx2-01') return m;
      const alt = withServers.machines.find((x) => x.name === 'tx2-01')!;
      // The kernel must print on the UART ser2net listens to (the PCI 16550, ttyS0) too.
      return { ...m, console: alt.console, boot: { ...m.boot, consoleParams: [...m.boot.consoleParams, 'console=ttyS0,115200'] } };
    }),
  };
}

describe('boot loop end to end (server, agent, virtual lab)', () => {
  const stack = new E2eStack('/tmp/pfnlab-vlab-e2e', 20100);

  beforeAll(async () => {
    await stack.start((inv) => tx2OnSer2net(inv, stack.lab.inventory(['--console-servers'])));
  }, 600_000);
  afterAll(async () => stack.stop(), 120_000);

  it('boots each of the four machines to user space: PASS, with milestones from earlycon on', async () => {
    const jobs = await Promise.all(['x86-01', 'tx2-01', 'p9-01', 'z15-lpar-01'].map(async (m) => [m, await stack.submit(stack.bootJob(m))] as const));
    const runs = [];
    for (const [machine, id] of jobs) runs.push({ machine, id, run: await stack.waitRun(id, (r) => r.state === 'finished', 300_000) });
    expect(runs.map(({ machine, run }) => ({ machine, verdict: run.verdict, reason: run.verdictReason }))).toEqual(
      jobs.map(([machine]) => ({ machine, verdict: 'PASS', reason: 'booted to user space' })),
    );
    for (const { machine, id, run } of runs) {
      const names = run.milestones.map((m) => m.name);
      // tx2-01's console is a second UART behind ser2net: the kernel prints there only from its console handover on.
      if (machine === 'tx2-01') expect(names).toEqual(expect.arrayContaining(['init-started', 'userspace-ready']));
      else {
        expect(names).toEqual(expect.arrayContaining(['linux-version', 'init-started', 'userspace-ready']));
        expect(names[0]).toMatch(/firmware|kernel-handover|linux-version|earlycon/);
      }
      expect(run.steps.map((s) => `${s.name}:${s.state}`)).toEqual(['reserve:ok', 'console:ok', 'deploy:ok', 'power:ok', 'boot:ok', 'test:skipped', 'collect:skipped', 'recover:skipped', 'release:ok']);
      expect((await stack.job(id)).verdict).toBe('PASS');
      // The stored console starts with the earliest kernel lines and holds the run's own parameter.
      const log = await (await stack.server.api(`/api/runs/${run.id}/console`)).text();
      if (machine !== 'tx2-01') expect(log).toContain(`pfnlab.run=${run.id}`);
      expect(log).toContain('VLAB-READY');
      expect(Number(run.consoleLines)).toBeGreaterThan(20);
    }
  }, 600_000);

  it('a health check boots the machine\'s own known-good kernel, nothing staged, and reaches SSH: PASS, machine good', async () => {
    const id = await stack.submit({ name: 'health check p9-01', kernel: { knownGood: true }, arch: 'ppc64le', target: { machine: 'p9-01' } });
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 300_000);
    expect({ verdict: run.verdict, reason: run.verdictReason }).toEqual({ verdict: 'PASS', reason: 'health check passed: the known-good kernel booted and SSH answers' });
    expect(run.steps.map((s) => `${s.name}:${s.state}`)).toEqual(['reserve:ok', 'console:ok', 'deploy:ok', 'power:ok', 'boot:ok', 'test:skipped', 'collect:skipped', 'recover:skipped', 'release:ok']);
    const log = await (await stack.server.api(`/api/runs/${run.id}/console`)).text();
    expect(log).toContain('VLAB-READY');
    // The known-good kernel's own command line: no run parameter was staged for it.
    expect(log).not.toContain('pfnlab.run=');
    const machines = await (await stack.server.api('/api/machines')).json();
    expect(machines.find((m: { name: string }) => m.name === 'p9-01')).toMatchObject({ health: 'good' });
  }, 600_000);

  it('a kernel that panics is FAIL with the panic title, decided at the panic line', async () => {
    // A missing init: the kernel falls back to mounting a root that does not exist, and panics.
    // The default retry policy: the FAIL is confirmed by one rerun before the job is called FAIL.
    const id = await stack.submit(stack.bootJob('tx2-01', { retry: {} }, ['rdinit=/nonexistent-init', 'root=/dev/nonexistent']));
    const run = await stack.waitRun(id, (r) => r.verdict !== null, 180_000);
    expect(run.verdict).toBe('FAIL');
    expect(run.failedStep).toBe('boot');
    expect(run.verdictReason).toMatch(/kernel panic/i);
    expect(run.crashes.map((c) => c.title)).toEqual(expect.arrayContaining([expect.stringMatching(/^kernel panic: /i)]));
    // The machine is recovered to its known-good kernel before the run ends.
    const done = await stack.waitRun(id, (r) => r.state === 'finished', 240_000);
    expect(done.steps.find((s) => s.name === 'recover')?.state).toBe('ok');
    // The confirming rerun panics the same way: a confirmed FAIL, not flaky.
    const deadline = Date.now() + 300_000;
    let job = await stack.job(id);
    while (job.state !== 'finished' && Date.now() < deadline) {
      await sleep(1000);
      job = await stack.job(id);
    }
    const runs = await stack.runsOf(id);
    expect(runs.map((r) => [r.attempt, r.verdict])).toEqual([[1, 'FAIL'], [2, 'FAIL']]);
    expect(runs[1].crashes.map((c) => c.title)).toEqual(run.crashes.map((c) => c.title));
    expect(job).toMatchObject({ state: 'finished', verdict: 'FAIL', flaky: false, passRate: 0 });
  }, 900_000);

  it('tests: the payloads run over SSH after the boot, with counters; their results and measurements are stored', async () => {
    // movablecore: memory in ZONE_MOVABLE from boot, so the offline/online loop has blocks the kernel can give back.
    // hotplug-add-remove: the agent plugs a 256 MiB DIMM over QMP, twice, while the guest times each phase; then
    // once through the virtio-mem device (requested-size up and back).
    const dimm = { name: 'hotplug-add-remove', params: { method: 'pc-dimm', size_mib: 256, cycles: 2, timeout_s: 180 } };
    const virtio = { name: 'hotplug-add-remove', params: { method: 'virtio-mem', size_mib: 256, cycles: 1, timeout_s: 180 } };
    const job = stack.bootJob('x86-01', { tests: [{ name: 'hotplug-offline-online', params: { iterations: 2, blocks: 2 } }, 'pfn-walk', dimm, virtio] }, ['movablecore=256M']);
    const id = await stack.submit(job);
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 600_000);
    expect({ verdict: run.verdict, reason: run.verdictReason }).toEqual({ verdict: 'PASS', reason: 'booted to user space' });
    expect(run.steps.find((s) => s.name === 'test')?.state).toBe('ok');
    const { results } = await (await stack.server.api(`/api/runs/${run.id}/results`)).json();
    expect(results.map((r: { payload: string; status: string }) => `${r.payload}:${r.status}`)).toEqual(['hotplug-offline-online:ok', 'pfn-walk:ok', 'hotplug-add-remove:ok', 'hotplug-add-remove:ok']);
    const [loop, walk, addRemove, virtioMem] = results;
    expect(loop.metrics.map((m: { metric: string }) => m.metric)).toEqual(expect.arrayContaining(['hotplug-offline-online.offline', 'hotplug-offline-online.counter.offline_pages.calls']));
    const offline = loop.metrics.find((m: { metric: string }) => m.metric === 'hotplug-offline-online.offline');
    // Two iterations over the one or two blocks movablecore made: a sample per offline.
    expect(offline.unit).toBe('ns');
    expect([2, 4]).toContain(offline.n);
    expect(offline.median).toBeGreaterThan(0);
    // The counters saw the loop: offline_pages ran for every offline, including the ones the kernel refused (EBUSY: counted, not timed).
    const calls = loop.metrics.find((m: { metric: string }) => m.metric === 'hotplug-offline-online.counter.offline_pages.calls').median;
    expect(calls).toBeGreaterThanOrEqual(offline.n);
    expect(calls).toBeLessThanOrEqual(4);
    expect(walk.metrics.some((m: { metric: string; unit: string }) => m.metric.startsWith('pfn-walk.') && m.unit === 'ns')).toBe(true);

    // hotplug-add-remove: two cycles of a 256 MiB DIMM = 2 memory blocks of 128 MiB each time.
    expect(addRemove.problems).toEqual([]);
    expect(addRemove.params).toMatchObject({ method: 'pc-dimm', size_mib: '256', block_size_mib: '128', blocks: '2', cycles: '2', online: 'online_movable', arch: 'x86_64' });
    const m = (name: string) => addRemove.metrics.find((x: { metric: string }) => x.metric === `hotplug-add-remove.${name}`);
    const phases = { add_visible: 2, online: 4, offline: 4, remove_visible: 2, host_add: 2, host_remove: 2 };
    for (const [name, n] of Object.entries(phases)) {
      expect({ name, n: m(name)?.n, unit: m(name)?.unit }).toEqual({ name, n, unit: 'ns' });
      expect(m(name).min).toBeGreaterThan(0);
    }
    // One __add_pages (arch_add_memory) per DIMM; one vmemmap_populate per 128 MiB section, derived from its arguments.
    expect(m('counter.__add_pages.calls')?.median).toBe(2);
    expect(m('counter.vmemmap_populate.calls')?.median).toBe(4);
    expect(m('counter.online_pages.calls')?.median).toBe(4);
    expect(m('counter.offline_pages.calls')?.median).toBeGreaterThanOrEqual(4);
    expect(m('counter.vmemmap_free.calls')?.median).toBeGreaterThan(0);
    const ms = (name: string) => `${(m(name).median / 1e6).toFixed(1)} ms`;
    process.stdout.write(`x86-01 hotplug-add-remove pc-dimm 256 MiB (medians): add ${ms('add_visible')}, online/block ${ms('online')}, offline/block ${ms('offline')}, remove ${ms('remove_visible')}; QMP add ${ms('host_add')}, remove ${ms('host_remove')}\n`);

    // Queryable by metric and job.
    const q = await (await stack.server.api(`/api/measurements?job=${id}&metric=hotplug-offline-online.online`)).json();
    expect(q.items).toHaveLength(offline.n);
    expect(q.items.every((x: { unit: string; arch: string }) => x.unit === 'ns' && x.arch === 'x86_64')).toBe(true);
    const removed = await (await stack.server.api(`/api/measurements?job=${id}&metric=hotplug-add-remove.remove_visible`)).json();
    // two pc-dimm cycles and one virtio-mem cycle
    expect(removed.items.map((x: { iteration: number }) => x.iteration).sort()).toEqual([0, 0, 1]);
    expect(removed.items.every((x: { value: number; payload: string }) => x.value > 0 && x.payload === 'hotplug-add-remove')).toBe(true);

    // virtio-mem: the device's requested-size up by 256 MiB and back; the driver offlines and unplugs by itself (no offline phase).
    expect(virtioMem.problems).toEqual([]);
    expect(virtioMem.params).toMatchObject({ method: 'virtio-mem', device: 'vm0', blocks: '2', cycles: '1' });
    const v = (name: string) => virtioMem.metrics.find((x: { metric: string }) => x.metric === `hotplug-add-remove.${name}`);
    expect(['add_visible', 'online', 'offline', 'remove_visible', 'host_add', 'host_remove'].map((name) => v(name)?.n ?? 0)).toEqual([1, 2, 0, 1, 1, 1]);
    expect(v('counter.__add_pages.calls')?.median).toBe(2); // virtio-mem adds memory block by block
    expect(v('counter.vmemmap_populate.calls')?.median).toBe(2);
    expect(v('counter.offline_pages.calls')?.median).toBeGreaterThanOrEqual(2);
    const vms = (name: string) => `${(v(name).median / 1e6).toFixed(1)} ms`;
    process.stdout.write(`x86-01 hotplug-add-remove virtio-mem 256 MiB: add ${vms('add_visible')}, online/block ${vms('online')}, remove ${vms('remove_visible')}; QMP add ${vms('host_add')}, remove ${vms('host_remove')}\n`);
  }, 900_000);

  it('a boot that goes silent after the handover is FAIL by the silence window', async () => {
    const job = stack.bootJob('x86-01', { boot: { cmdline: ['loglevel=0', 'vlab.silent'], silenceSeconds: 15, timeouts: { boot: 180, recover: 180 } } });
    const id = await stack.submit(job);
    const run = await stack.waitRun(id, (r) => r.verdict !== null, 240_000);
    expect({ verdict: run.verdict, step: run.failedStep }).toEqual({ verdict: 'FAIL', step: 'boot' });
    expect(run.verdictReason).toMatch(/output stopped|no output from the kernel/);
    await stack.waitRun(id, (r) => r.state === 'finished', 240_000);
  }, 600_000);

  it('a BMC that does not answer is ERROR naming the power step, never FAIL', async () => {
    stack.lab.fault('tx2-01', 'bmc-silent');
    try {
      const id = await stack.submit(stack.bootJob('tx2-01'));
      const run = await stack.waitRun(id, (r) => r.state === 'finished', 240_000);
      expect({ verdict: run.verdict, step: run.failedStep }).toEqual({ verdict: 'ERROR', step: 'power' });
      expect(run.verdictReason).toMatch(/BMC|ipmi/i);
    } finally {
      stack.lab.fault('tx2-01', 'clear');
    }
  }, 600_000);

  it('kill -9 of the agent mid-boot: ERROR, console kept up to the kill, machine recovered by the next agent', async () => {
    const id = await stack.submit(stack.bootJob('z15-lpar-01'));
    const booting = await stack.waitRun(id, (r) => r.steps.some((s) => s.name === 'boot' && s.state === 'running') && Number(r.consoleLines) > 5, 180_000);
    await sleep(500);
    stack.killAgent();
    const before = Number((await stack.runsOf(id))[0].consoleLines);
    await stack.startAgent();
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 240_000);
    expect(run.id).toBe(booting.id);
    expect(run.verdict).toBe('ERROR');
    expect(run.verdictReason).toMatch(/agent restarted/);
    expect(Number(run.consoleLines)).toBeGreaterThanOrEqual(before);
    const log = await (await stack.server.api(`/api/runs/${run.id}/console`)).text();
    expect(log).not.toMatch(/console line\(s\) missing/);
    const machines = await (await stack.server.api('/api/machines')).json();
    expect(machines.find((m: { name: string }) => m.name === 'z15-lpar-01').lease).toBeNull();
  }, 600_000);

  it('cancel mid-boot: CANCELED promptly, machine powered off and released; `pfnlab jobs watch --json` shows console, steps and the end', async () => {
    const id = await stack.submit(stack.bootJob('p9-01'));
    // A user follows the job with the CLI, as `jobs submit --watch` does.
    const watch = spawn(process.execPath, [join(REPO, 'bin/pfnlab'), 'jobs', 'watch', id, '--json'], {
      env: { PATH: process.env.PATH!, HOME: '/nonexistent', PFNLAB_SERVER: stack.server.url, PFNLAB_TOKEN: stack.server.adminToken },
    });
    let out = '';
    watch.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number>((resolve) => watch.on('close', (code) => resolve(code ?? -1)));
    await stack.waitRun(id, (r) => r.steps.some((s) => s.name === 'boot' && s.state === 'running') && Number(r.consoleLines) > 5, 180_000);
    const asked = Date.now();
    expect((await stack.server.api(`/api/jobs/${id}/cancel`, { method: 'POST' })).status).toBeLessThan(300);
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 120_000);
    // Prompt: no boot timeout, no recovery boot, just power off.
    expect(Date.now() - asked).toBeLessThan(60_000);
    expect({ verdict: run.verdict, step: run.failedStep }).toEqual({ verdict: 'CANCELED', step: 'boot' });
    expect(run.steps.find((s) => s.name === 'recover')?.state).toBe('ok');
    expect(run.steps.find((s) => s.name === 'release')?.state).toBe('ok');
    const machines = await (await stack.server.api('/api/machines')).json();
    expect(machines.find((m: { name: string }) => m.name === 'p9-01').lease).toBeNull();
    const power = stack.lab.drivers(stack.lab.machine('p9-01')).power;
    expect(await power.status()).toBe('off');

    // The watcher ends with the job, exit status 1 (not PASS), after showing the live console in order.
    expect(await exited).toBe(1);
    const events = out.trim().split('\n').map((l) => JSON.parse(l));
    const seqs = events.filter((e) => e.event === 'console').map((e) => e.seq as number);
    expect(seqs.length).toBeGreaterThan(5);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(events.filter((e) => e.event === 'console').every((e) => e.machine === 'p9-01' && typeof e.line === 'string')).toBe(true);
    expect(events.some((e) => e.event === 'step' && e.step === 'boot' && e.state === 'running')).toBe(true);
    expect(events.filter((e) => e.event === 'job').pop()).toMatchObject({ event: 'job', id, verdict: 'CANCELED' });
  }, 600_000);
});
