import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpecInput } from '@pfnlab/contracts';
import { E2eStack } from '../../test/e2e/e2e-stack';
import { flag, log, numFlag, wallMs } from './bench-common';
import { Probes, type Probe } from './probes';

/*
 * The end-to-end stack of the benchmarks: test/e2e's E2eStack (a real
 * server in this process, a real agent process, a private virtual lab) on
 * the benchmarks' own vlab directory and port base, so a benchmark never
 * collides with the tests, plus the probe worker. Torn down on every exit
 * path: normal end, error, SIGINT/SIGTERM.
 */

export const VLAB_DIR = flag('vlab-dir', '/tmp/pfnlab-vlab-bench');
export const PORT_BASE = numFlag('port-base', 21100);

export async function withBenchStack(fn: (stack: E2eStack, probes: Probes) => Promise<void>): Promise<void> {
  const stack = new E2eStack(VLAB_DIR, PORT_BASE);
  const probes = new Probes();
  let down: Promise<void> | undefined;
  const teardown = () =>
    (down ??= (async () => {
      log('tearing down (agent, vlab, server)');
      await probes.close().catch(() => undefined);
      try {
        await stack.stop();
      } catch (e) {
        log(`teardown: ${(e as Error).message}; making sure the lab is down`);
        stack.killAgent();
        stack.lab.down();
      }
    })());
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping`);
    void teardown().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`starting server, agent and vlab (${VLAB_DIR}, ports from ${PORT_BASE})`);
    await stack.start();
    await fn(stack, probes);
  } finally {
    await teardown();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function machineDir(stack: E2eStack, machine: string): string {
  return join(stack.lab.dir, 'machines', machine);
}

export interface RunRow {
  id: string;
  state: string;
  verdict: string | null;
}

/** Submits a job and polls its run's row (id, state, verdict) straight from the database. */
export async function submitWatched(stack: E2eStack, probes: Probes, job: JobSpecInput, pollMs: number): Promise<{ jobId: string; submittedAt: number; run: Probe<{ rows: Array<Record<string, unknown>>; at: number }> }> {
  const submittedAt = wallMs();
  const jobId = await stack.submit(job);
  const run = probes.poll(stack.server.db.url, 'SELECT id, state, verdict FROM runs WHERE job_id = $1 ORDER BY iteration, attempt', [jobId], pollMs);
  return { jobId, submittedAt, run };
}

export const firstRow = (x: { rows: Array<Record<string, unknown>> }) => x.rows[0] as unknown as RunRow | undefined;

export interface StepTime {
  name: string;
  state: string;
  startedAt: number | null;
  finishedAt: number | null;
}

/** The run's steps as the agent reported them (agent clock: the same host's). */
export async function stepsOf(stack: E2eStack, runId: string): Promise<StepTime[]> {
  const run = await (await stack.server.api(`/api/runs/${runId}`)).json();
  const t = (s: string | null) => (s ? Date.parse(s) : null);
  return run.steps.map((s: { name: string; state: string; startedAt: string | null; finishedAt: string | null }) => ({ name: s.name, state: s.state, startedAt: t(s.startedAt), finishedAt: t(s.finishedAt) }));
}

/**
 * When deploy/vlab/start-machine.sh started the machine's "chassis" (its
 * power.log line), first at or after `after` (wallMs). Local time, as date(1) writes it.
 */
export function chassisOnAfter(machineDir: string, after: number): number | null {
  let log = '';
  try {
    log = readFileSync(join(machineDir, 'power.log'), 'utf8');
  } catch {
    return null;
  }
  for (const m of log.matchAll(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\d* power on \(pid/gm)) {
    const t = new Date(m[1]).getTime();
    // power.log has ms resolution here; the request was taken with sub-ms resolution.
    if (t >= Math.floor(after) - 1) return t;
  }
  return null;
}
