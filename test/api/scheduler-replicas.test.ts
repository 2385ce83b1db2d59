import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '../../apps/server/src/db/migrate';
import { eventually } from '../support/eventually';
import { FakeAgents } from '../support/fake-agents';
import { LiveDoubleBookingWatch, leasesLeft, overlappingRuns } from '../support/lease-audit';
import { seedSchedulerLab, type SchedulerLab } from '../support/scheduler-lab';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { createTestDatabase, TEST_REDIS_URL, uniqueRedisPrefix, type TestDatabase } from '../support/test-database';

/*
 * Two server processes (from dist: run `npm run build` first) schedule one
 * queue against the same PostgreSQL and Redis, with fake agents taking the
 * runs from the labs' queues and reporting them through the run-events
 * stream. The replicas must share the work without ever booking a machine
 * twice: every job gets exactly one run, each run reaches an agent once,
 * no two runs' lease intervals overlap on a machine, and no lease is left.
 */

const MACHINES = 20;
const JOBS = 300;
/** A dispatch as RunScheduler logs it: "job JOB run N -> MACHINE (run RUN)". */
const DISPATCH_LINE = /job \S+ run \d+ -> (\S+) \(run ([0-9a-f-]{36})\)/;

describe('scheduler: two server replicas, one queue, no double booking', () => {
  let db: TestDatabase;
  let pg: Client;
  let lab: SchedulerLab;
  let agents: FakeAgents;
  let watch: LiveDoubleBookingWatch;
  const servers: ServerProcess[] = [];
  const prefix = uniqueRedisPrefix('replicas');

  beforeAll(async () => {
    db = await createTestDatabase('replicas');
    await migrate(db.url);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    lab = await seedSchedulerLab(db.url, { labs: 3, machines: MACHINES, jobs: JOBS, users: 4, seed: 3 });
    agents = new FakeAgents({ redisUrl: TEST_REDIS_URL, redisPrefix: prefix, labs: lab.labs, runMs: 50, recoverMs: 0, concurrency: MACHINES });
    agents.start();
    watch = new LiveDoubleBookingWatch(pg, 100);
    watch.start();
    const secretsKey = randomBytes(32).toString('base64');
    for (const name of ['replica-a', 'replica-b']) {
      servers.push(await startServerProcess({ name, databaseUrl: db.url, redisUrl: TEST_REDIS_URL, redisPrefix: prefix, secretsKey }));
    }
  });

  afterAll(async () => {
    await watch?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    await agents?.stop();
    await pg?.end();
    await db?.drop();
  });

  it('drains the queue: every job PASS on exactly one run, both replicas dispatching, no overlap, no lease left', async () => {
    const left = await eventually(
      async () => (await pg.query(`SELECT count(*)::int AS n FROM jobs WHERE state <> 'finished'`)).rows[0].n as number,
      (n) => n === 0,
      150_000,
      500,
    );
    expect(left).toBe(0);
    await watch.stop();

    const jobs = (await pg.query(`SELECT id, verdict FROM jobs`)).rows;
    expect(jobs).toHaveLength(JOBS);
    expect(jobs.filter((j) => j.verdict !== 'PASS')).toEqual([]);
    const runs = (await pg.query(`SELECT r.id, r.job_id, r.verdict, r.state, m.name AS machine FROM runs r JOIN machines m ON m.id = r.machine_id`)).rows;
    // One run per job (repeat 1, nothing to retry), each finished PASS.
    expect(runs).toHaveLength(JOBS);
    expect(new Set(runs.map((r) => r.job_id)).size).toBe(JOBS);
    expect(runs.filter((r) => r.state !== 'finished' || r.verdict !== 'PASS')).toEqual([]);
    // Each run reached the agents once.
    expect([...agents.deliveries.values()].filter((n) => n !== 1)).toEqual([]);
    expect(agents.deliveries.size).toBe(JOBS);

    expect(await overlappingRuns(pg)).toEqual([]);
    expect([...watch.pairs]).toEqual([]);
    expect(watch.samples).toBeGreaterThan(0);
    expect(await leasesLeft(pg)).toEqual([]);

    // Both replicas dispatched, and what they logged is what the runs table holds.
    const byServer = servers.map((s) => s.lines.map((l) => DISPATCH_LINE.exec(l)).filter((m): m is RegExpExecArray => !!m));
    for (const [i, dispatched] of byServer.entries()) expect({ server: servers[i].name, dispatched: dispatched.length > 0 }).toEqual({ server: servers[i].name, dispatched: true });
    const logged = byServer.flat().map((m) => `${m[2]} ${m[1]}`).sort();
    expect(logged).toEqual(runs.map((r) => `${r.id} ${r.machine}`).sort());
  });
});
