import { randomBytes, randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { RUN_EVENTS_STREAM, type BuildEvent } from '@pfnlab/contracts';
import { eventually } from '../support/eventually';
import { startTestServer, tokenFor, type TestServer } from '../support/test-server';

type BuildResult = NonNullable<BuildEvent['result']>;

export interface LeasedRun {
  runId: string;
  jobId: string;
  machineId: string;
  leaseToken: string;
}

export const REQUEST = {
  tree: '/srv/linux',
  ref: 'v6.12',
  arch: 'x86_64' as const,
  configBase: 'tinyconfig',
  fragments: ['CONFIG_MEMORY_HOTPLUG=y', 'CONFIG_ZONE_DEVICE=y'],
  patches: ['0001-mm-hotplug-fix-pfn_valid.patch', '0002-mm-vmemmap-trace.patch'],
  toolchain: 'gcc' as const,
};

export const sha = (c: string) => c.repeat(64);

/** A finished build's result as an agent reports it (PASS unless overridden). */
export function buildResult(o: Partial<BuildResult> = {}): BuildResult {
  return {
    status: 'PASS',
    title: 'built bzImage',
    phase: 'package',
    commit: '4'.repeat(40),
    contentHash: sha('b'),
    reused: false,
    seconds: 241.5,
    image: 'bzImage',
    artifacts: [
      { name: 'bzImage', bytes: 1_234_567, sha256: sha('c') },
      { name: 'vmlinux', bytes: 45_000_000, sha256: sha('d') },
      { name: 'build.log', bytes: 2048, sha256: sha('e') },
    ],
    location: 'file:///var/lib/pfnlab/artifacts/bb/' + sha('b'),
    metadata: { toolchain: { kind: 'gcc', versions: { gcc: 'gcc (Debian 12.2.0-14) 12.2.0' } }, images: { bzImage: 1_234_567, vmlinux: 45_000_000 } },
    errors: [],
    warnings: 3,
    droppedOptions: [],
    sizeDelta: null,
    log: 'make -j2 ARCH=x86_64\n  CC      mm/memory_hotplug.o\n  LD      vmlinux\nKernel: arch/x86/boot/bzImage is ready  (#1)\n',
    ...o,
  };
}

/**
 * A lab in the database as the dispatcher would leave it (a machine leased
 * to a run, an agent heard from), and the agent's side of the run-events
 * stream, so tests push build events exactly as an agent does.
 */
export class BuildLab {
  readonly pg: Client;
  private readonly redis: IORedis;
  private labId = '';
  private stepSeq = 0;
  private sentinel?: LeasedRun;

  constructor(private readonly s: TestServer) {
    this.pg = new Client({ connectionString: s.db.url });
    this.redis = new IORedis(s.config.redisUrl);
  }

  async open(): Promise<void> {
    await this.pg.connect();
    this.labId = (await this.pg.query(`INSERT INTO labs (name) VALUES ('lab-b') RETURNING id`)).rows[0].id;
    // Heard from far into the future, so the lease reaper never takes these runs for lost.
    await this.pg.query(`INSERT INTO agents (lab_id, name, token_hash, last_heartbeat_at) VALUES ($1, 'builder', $2, now() + interval '1 day')`, [this.labId, randomBytes(16).toString('hex')]);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.pg.end();
  }

  /** A running job with one run whose machine is leased to it with token 7. */
  async leasedRun(kernel: object = { tree: REQUEST.tree, ref: REQUEST.ref, config: { base: 'tinyconfig', fragments: REQUEST.fragments }, patches: REQUEST.patches, toolchain: 'gcc' }, arch = 'x86_64'): Promise<LeasedRun> {
    const spec = { kernel, arch, target: { machine: 'x' }, priority: 50, repeat: 1 };
    const jobId = (await this.pg.query(`INSERT INTO jobs (spec, arch, priority, state) VALUES ($1, $2, 50, 'running') RETURNING id`, [spec, arch])).rows[0].id;
    const machineId = (await this.pg.query(
      `INSERT INTO machines (name, lab_id, arch, platform, memory_mib, power, console, boot, health) VALUES ($1, $2, $3, 'x86-server', 1024, '{}', '{}', '{}', 'good') RETURNING id`,
      [`m-${randomBytes(4).toString('hex')}`, this.labId, arch],
    )).rows[0].id;
    const runId = (await this.pg.query(`INSERT INTO runs (job_id, machine_id, lease_token, state) VALUES ($1, $2, 7, 'running') RETURNING id`, [jobId, machineId])).rows[0].id;
    await this.pg.query(`UPDATE machines SET lease_run_id = $1, lease_token = 7, lease_expires_at = now() + interval '1 hour' WHERE id = $2`, [runId, machineId]);
    return { runId, jobId, machineId, leaseToken: '7' };
  }

  /** XADDs an event as the agent's RunReporter does (any object: tests also send malformed ones). */
  async push(event: object): Promise<void> {
    await this.redis.xadd(`${this.s.config.redisPrefix}:${RUN_EVENTS_STREAM}`, '*', 'event', JSON.stringify(event));
  }

  running(run: LeasedRun, buildId: string, o: Partial<BuildEvent> = {}): object {
    return { type: 'build', runId: run.runId, leaseToken: run.leaseToken, buildId, state: 'running', at: new Date().toISOString(), ...o };
  }

  finished(run: LeasedRun, buildId: string, result: BuildResult = buildResult(), o: Partial<BuildEvent> = {}): object {
    return { type: 'build', runId: run.runId, leaseToken: run.leaseToken, buildId, state: 'finished', result, at: new Date().toISOString(), ...o };
  }

  /**
   * Waits until the server has consumed everything pushed so far: the
   * stream is handled in order, so once a step event pushed last is stored,
   * every event before it was handled (applied or ignored).
   */
  async settle(): Promise<void> {
    this.sentinel ??= await this.leasedRun();
    const seq = this.stepSeq++;
    await this.push({ type: 'step', runId: this.sentinel.runId, leaseToken: '7', step: 'boot', seq, state: 'running', at: new Date().toISOString() });
    const rows = await eventually(
      async () => (await this.pg.query(`SELECT 1 FROM run_steps WHERE run_id = $1 AND seq = $2`, [this.sentinel!.runId, seq])).rows,
      (r) => r.length === 1,
      10_000,
      50,
    );
    if (!rows.length) throw new Error('the server did not consume the run-events stream within 10 s');
  }

  /** The build row as stored (every column), for before/after comparisons. */
  async row(buildId: string): Promise<Record<string, unknown> | undefined> {
    return (await this.pg.query(`SELECT * FROM builds WHERE id = $1`, [buildId])).rows[0];
  }
}

export const newBuildId = () => randomUUID();

/**
 * The setup the build and payload API tests share: a server with workers
 * (own database and Redis prefix), a BuildLab and a viewer's token, made
 * before the file's tests and torn down after them; `use` receives them.
 */
export function useBuildLab(label: string, use: (x: { s: TestServer; lab: BuildLab; viewer: string }) => void): void {
  let s: TestServer | undefined;
  let lab: BuildLab | undefined;
  beforeAll(async () => {
    s = await startTestServer({ label, roles: 'api,workers' });
    lab = new BuildLab(s);
    await lab.open();
    use({ s, lab, viewer: (await tokenFor(s, 'viewer', 'viewer')).token });
  });
  afterAll(async () => {
    await lab?.close();
    await s?.close();
  });
}
