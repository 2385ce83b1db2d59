import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { Client } from 'pg';
import type { RunEvent } from '@pfnlab/contracts';
import { RunRecorder } from '../../apps/server/src/runs/run-recorder';
import { eventually } from '../support/eventually';
import { addTestMachine, type TestServer } from '../support/test-server';
import { buildResult } from './build-fixtures';

/*
 * The lab's agent for bisection tests: one machine, and for each run of a
 * bisection's step jobs the build and the verdict that the commit under
 * test deserves (its Behaviour), reported through the server's
 * RunRecorder as the run-events consumer would.
 */

export const PANIC = 'BUG: unable to handle page fault in vmemmap_populate';
export const OTHER_CRASH = 'WARNING in online_pages';
export const BUILD_ERROR = "mm/sparse.c:42:1: error: expected ';' before '}' token";
export const BISECT_LAB = 'lab-bisect';

export type Behaviour = 'boots' | 'no-build' | 'panic' | 'other-crash';

export class BisectLab {
  readonly pg: Client;
  private readonly redis: IORedis;
  private readonly recorder: RunRecorder;
  readonly behaviours = new Map<string, Behaviour>();

  constructor(private readonly s: TestServer) {
    this.pg = new Client({ connectionString: s.db.url });
    this.redis = new IORedis(s.config.redisUrl);
    this.recorder = s.app.get(RunRecorder);
  }

  async open(): Promise<void> {
    await this.pg.connect();
    await addTestMachine(this.s, { name: 'bi-01', lab: BISECT_LAB, arch: 'x86_64', platform: 'x86-server', tags: ['bisect'] });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.pg.end();
  }

  /** A job spec that builds `tree` and boots it on the lab's machine. */
  spec(tree: string) {
    return { kernel: { tree, ref: 'master', config: { base: 'tinyconfig' } }, arch: 'x86_64', target: { selector: { tags: ['bisect'] } } };
  }

  /** The agent's part for one run: the build, then the verdict the commit deserves, then the end. */
  async report(run: { id: string; lease_token: string; commit: string }): Promise<void> {
    const b = this.behaviours.get(run.commit);
    if (!b) throw new Error(`run ${run.id} builds ${run.commit}, which no test repository has`);
    const at = () => new Date().toISOString();
    const base = { runId: run.id, leaseToken: run.lease_token };
    const apply = async (e: object) => {
      const r = await this.recorder.apply(e as RunEvent);
      if (r !== 'applied') throw new Error(`event ${JSON.stringify(e).slice(0, 200)} was ${r}`);
    };
    await apply({
      ...base, type: 'build', buildId: randomUUID(), state: 'finished', at: at(),
      result: b === 'no-build'
        ? buildResult({ status: 'FAIL', title: BUILD_ERROR, phase: 'compile', commit: run.commit, image: null, artifacts: [], contentHash: null })
        : buildResult({ commit: run.commit }),
    });
    const crash = (title: string) => ({ title, type: 'BUG', frame: null, corrupted: false, count: 1, report: `${title}\nCall Trace:\n vmemmap_populate+0x1c/0x80\n`, startLine: 120 });
    const verdict = {
      'boots': { verdict: 'PASS', reason: 'booted to user space', failedStep: null, milestones: [{ name: 'userspace-ready', line: 400, time: 3.1, at: 3.2 }], crashes: [] },
      'no-build': { verdict: 'FAIL', reason: 'the kernel does not build', failedStep: 'deploy', milestones: [], crashes: [] },
      'panic': { verdict: 'FAIL', reason: `kernel crash: ${PANIC}`, failedStep: 'boot', milestones: [], crashes: [crash(PANIC)] },
      'other-crash': { verdict: 'FAIL', reason: `kernel crash: ${OTHER_CRASH}`, failedStep: 'boot', milestones: [], crashes: [crash(OTHER_CRASH)] },
    }[b];
    await apply({ ...base, type: 'verdict', kernelVersion: '6.12.0', at: at(), ...verdict });
    // The agent's recover step put the machine back on its known-good kernel.
    await apply({ ...base, type: 'finished', consoleLines: 0, machineState: 'good', at: at() });
  }

  /** Plays the agent for every run of the bisection's step jobs until it ends; returns the commits of the runs served. */
  async serve(id: string): Promise<string[]> {
    const served: string[] = [];
    for (;;) {
      const next = await eventually(
        async () => {
          const b = (await this.pg.query(`SELECT state, steps FROM bisections WHERE id = $1`, [id])).rows[0];
          const jobIds = (b.steps as Array<{ jobId: string }>).map((x) => x.jobId);
          const runs = (await this.pg.query(
            `SELECT r.id, r.lease_token, j.spec->'kernel'->>'ref' AS commit FROM runs r JOIN jobs j ON j.id = r.job_id
              WHERE r.job_id = ANY($1::uuid[]) AND r.state = 'queued' AND r.machine_id IS NOT NULL ORDER BY r.created_at`, [jobIds])).rows;
          return { done: b.state !== 'running', run: runs[0] };
        },
        (x) => x.done || !!x.run,
        30_000,
        50,
      );
      if (next.done) return served;
      if (!next.run) throw new Error(`bisection ${id}: no run dispatched within 30 s: ${JSON.stringify(await (await this.s.api(`/api/bisections/${id}`)).json())}`);
      // The run's row is committed before its queue entry is added (RunDispatcher): wait for the entry, as an agent would.
      const queued = await eventually(() => this.redis.hget(`${this.s.config.redisPrefix}:runs.${BISECT_LAB}:${next.run.id}`, 'data'), (d) => d !== null, 10_000, 20);
      if (queued === null) throw new Error(`run ${next.run.id} has a row but no queue entry after 10 s`);
      const ref = JSON.parse(queued).spec.kernel.ref;
      if (ref !== next.run.commit) throw new Error(`run ${next.run.id}: queued spec builds ${ref}, the job ${next.run.commit}`);
      served.push(next.run.commit);
      await this.report(next.run);
    }
  }
}
