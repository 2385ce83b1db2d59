/**
 * The scheduler end to end, as issue 9 asks: two real server processes
 * (dist, roles api,workers) against one fresh PostgreSQL database and one
 * Redis prefix drain a queue of --jobs jobs (one run each) onto --machines
 * simulated machines in --labs labs, with fake agents that take the runs
 * from each lab's BullMQ queue and report verdict + finished through the
 * run-events stream after --run-ms (and --recover-ms between the two).
 *
 *   npm run bench:scheduler [-- --machines 1000 --jobs 10000 --labs 8 --run-ms 300 --recover-ms 500]
 *
 * Figures:
 * - p99ms: p99 over every scheduling tick both servers made with runs in the
 *   queue of the decision time each server logs: from the snapshot read to
 *   the leases and runs written, under the scheduler lock (snapshot +
 *   decide() + lease/insert statements; not the commit or the queueing);
 * - dispatchesPerSecond: runs / (last run finished - first run leased);
 * - doubleBookings: pairs of runs whose lease intervals overlap on one
 *   machine (runs table, after the drain), together with pairs of unfinished
 *   runs seen on one machine by a 250 ms sampler during the drain.
 * Progress and the breakdown go to stderr; stdout gets one JSON line.
 */
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { migrate } from '../../apps/server/src/db/migrate';
import { FakeAgents } from '../../test/support/fake-agents';
import { LiveDoubleBookingWatch, leasesLeft, overlappingRuns } from '../../test/support/lease-audit';
import { seedSchedulerLab } from '../../test/support/scheduler-lab';
import { startServerProcess, type ServerProcess } from '../../test/support/server-process';
import { createTestDatabase, TEST_REDIS_URL, uniqueRedisPrefix } from '../../test/support/test-database';
import { nonNegativeFlag } from '../e2e/bench-common';


const log = (s: string) => process.stderr.write(`[bench:scheduler] ${s}\n`);
const quantile = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)] : NaN);
const TICK_LINE = /scheduler tick: decision ([\d.]+) ms \(snapshot ([\d.]+), decide ([\d.]+), leases ([\d.]+)\) for (\d+) open runs and \d+ machines: (\d+) leased/;

interface Tick { server: string; total: number; snapshot: number; decide: number; leases: number; open: number; leased: number }

async function main(): Promise<void> {
  const nMachines = nonNegativeFlag('machines', 1000);
  const nJobs = nonNegativeFlag('jobs', 10000);
  const nLabs = nonNegativeFlag('labs', 8);
  const runMs = nonNegativeFlag('run-ms', 300);
  const recoverMs = nonNegativeFlag('recover-ms', 500);
  const timeoutMs = nonNegativeFlag('timeout-s', 600) * 1000;

  const db = await createTestDatabase('benchsched');
  const prefix = uniqueRedisPrefix('bench-sched');
  const servers: ServerProcess[] = [];
  let agents: FakeAgents | undefined;
  const pg = new Client({ connectionString: db.url });
  const watch = new LiveDoubleBookingWatch(pg);
  const ticks: Tick[] = [];
  try {
    await migrate(db.url);
    await pg.connect();
    const t0 = Date.now();
    const lab = await seedSchedulerLab(db.url, { labs: nLabs, machines: nMachines, jobs: nJobs, seed: 9 });
    log(`seeded ${lab.machines.length} machines in ${lab.labs.length} labs and ${lab.jobIds.length} queued jobs in ${Date.now() - t0} ms`);
    agents = new FakeAgents({ redisUrl: TEST_REDIS_URL, redisPrefix: prefix, labs: lab.labs, runMs, recoverMs, concurrency: nMachines });
    agents.start();
    watch.start();
    const secretsKey = randomBytes(32).toString('base64');
    for (const name of ['replica-a', 'replica-b']) {
      servers.push(await startServerProcess({
        name, databaseUrl: db.url, redisUrl: TEST_REDIS_URL, redisPrefix: prefix, secretsKey, logLevel: 'debug',
        onLine: (line) => {
          const m = TICK_LINE.exec(line);
          if (m) ticks.push({ server: name, total: +m[1], snapshot: +m[2], decide: +m[3], leases: +m[4], open: +m[5], leased: +m[6] });
        },
      }));
      log(`${name} up (pid ${servers[servers.length - 1].pid})`);
    }
    const deadline = Date.now() + timeoutMs;
    for (let last = ''; ;) {
      const { rows: [c] } = await pg.query(`SELECT count(*) FILTER (WHERE state <> 'finished')::int AS left, (SELECT count(*)::int FROM runs) AS runs FROM jobs`);
      const now = `${c.left} jobs left, ${c.runs} runs dispatched`;
      if (now !== last) log(now);
      last = now;
      if (c.left === 0) break;
      if (Date.now() > deadline) throw new Error(`the queue did not drain within ${timeoutMs / 1000} s: ${now}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    await watch.stop();

    const { rows: [span] } = await pg.query(
      `SELECT count(*)::int AS runs, count(*) FILTER (WHERE verdict = 'PASS')::int AS passed,
              EXTRACT(EPOCH FROM max(finished_at) - min(created_at)) AS seconds FROM runs`,
    );
    const { rows: [jobsPassed] } = await pg.query(`SELECT count(*)::int AS n FROM jobs WHERE verdict = 'PASS'`);
    // Machine idle time between two runs: the previous run's end to the next lease (tick interval + decision + events).
    const { rows: [gap] } = await pg.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY g) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY g) AS p99 FROM (
         SELECT EXTRACT(EPOCH FROM created_at - lag(finished_at) OVER (PARTITION BY machine_id ORDER BY created_at)) * 1000 AS g FROM runs) x WHERE g IS NOT NULL`,
    );
    const overlaps = await overlappingRuns(pg);
    const doubleBookings = new Set([...overlaps, ...watch.pairs]).size;
    const left = await leasesLeft(pg);
    const busy = ticks.filter((t) => t.open > 0);
    const dispatchedBy = servers.map((s) => `${s.name} ${ticks.filter((t) => t.server === s.name).reduce((a, t) => a + t.leased, 0)} runs in ${ticks.filter((t) => t.server === s.name).length} ticks`);
    const q = (f: (t: Tick) => number) => `p50 ${quantile(busy.map(f), 0.5).toFixed(1)} / p99 ${quantile(busy.map(f), 0.99).toFixed(1)} / max ${Math.max(...busy.map(f)).toFixed(1)} ms`;
    if (span.passed !== span.runs) log(`WARNING: ${span.runs - span.passed} runs did not PASS (retried): the replicas' event ordering, see fake-agents.ts`);
    log(`drained: ${span.runs} runs (${span.passed} PASS, ${jobsPassed.n} jobs PASS) in ${Number(span.seconds).toFixed(1)} s; ${dispatchedBy.join(', ')}`);
    log(`decision per tick (${busy.length} ticks): total ${q((t) => t.total)}; snapshot ${q((t) => t.snapshot)}; decide ${q((t) => t.decide)}; leases ${q((t) => t.leases)}`);
    log(`largest tick: ${Math.max(...busy.map((t) => t.leased))} leases; machine idle between runs p50 ${Number(gap.p50).toFixed(0)} ms, p99 ${Number(gap.p99).toFixed(0)} ms`);
    log(`double bookings: ${overlaps.length} overlapping lease intervals, ${watch.pairs.size} live pairs in ${watch.samples} samples; leases left: ${left.length}`);
    const out = {
      machines: nMachines,
      queued: nJobs,
      p99ms: Math.round(quantile(busy.map((t) => t.total), 0.99) * 10) / 10,
      dispatchesPerSecond: Math.round(span.runs / Number(span.seconds)),
      doubleBookings,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await watch.stop();
    await Promise.all(servers.map((s) => s.stop()));
    await agents?.stop();
    await pg.end().catch(() => undefined);
    await db.drop().catch((e) => log(`could not drop ${db.name}: ${e.message}`));
    const redis = new IORedis(TEST_REDIS_URL);
    for (let cursor = '0'; ;) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
    redis.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`failed: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
