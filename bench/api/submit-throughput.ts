/*
 * Job submission through the real API (PostgreSQL + BullMQ on Redis), with
 * 10,000 jobs already queued. Baselines measured in the same run:
 *   - the same submissions into an empty queue (does queue depth cost?),
 *   - GET /healthz (the HTTP stack's floor, no database).
 * Run: npm run build && node dist/bench/api/submit-throughput.js [--prefill 10000] [--n 2000] [--concurrency 16]
 * Needs PostgreSQL and Redis as for the tests; uses its own database and key prefix.
 */
import { startTestServer, type TestServer } from '../../test/support/test-server';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const PREFILL = arg('prefill', 10_000);
const N = arg('n', 2000);
const CONCURRENCY = arg('concurrency', 16);

const SPEC = { kernel: { tree: '/srv/linux', ref: 'v6.1' }, arch: 'x86_64', target: { selector: { arch: 'x86_64', tags: ['bench'] } }, boot: { cmdline: ['panic=-1'] } };

interface Stats {
  n: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function drive(n: number, concurrency: number, call: (i: number) => Promise<Response>, expect: number): Promise<Stats> {
  const lat: number[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        const s = process.hrtime.bigint();
        const res = await call(i);
        await res.arrayBuffer();
        if (res.status !== expect) throw new Error(`request ${i}: HTTP ${res.status}`);
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort((a, b) => a - b);
  return { n, seconds: +seconds.toFixed(2), perSecond: +(n / seconds).toFixed(1), p50ms: +percentile(lat, 50).toFixed(2), p99ms: +percentile(lat, 99).toFixed(2) };
}

async function main() {
  const s: TestServer = await startTestServer({ label: 'bench' });
  try {
    const submit = () => s.api('/api/jobs', { method: 'POST', json: SPEC });
    // Warm up connections and JIT.
    await drive(200, CONCURRENCY, () => s.api('/healthz', { token: null }), 200);
    await drive(100, CONCURRENCY, submit, 201);

    const healthz = await drive(N, CONCURRENCY, () => s.api('/healthz', { token: null }), 200);
    const empty = await drive(N, CONCURRENCY, submit, 201);
    process.stderr.write(`prefilling ${PREFILL} queued jobs...\n`);
    await drive(Math.max(0, PREFILL - N - 100), CONCURRENCY, submit, 201);
    const deep = await drive(N, CONCURRENCY, submit, 201);

    const result = {
      concurrency: CONCURRENCY,
      queuedBefore: PREFILL,
      healthz,
      submitEmptyQueue: empty,
      submitWithQueued: deep,
      ratios: {
        throughputDeepVsEmpty: +(deep.perSecond / empty.perSecond).toFixed(2),
        p99DeepVsEmpty: +(deep.p99ms / empty.p99ms).toFixed(2),
        p50SubmitVsHealthz: +(deep.p50ms / healthz.p50ms).toFixed(2),
      },
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    await s.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
