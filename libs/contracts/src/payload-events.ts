import { z } from 'zod';
import { NameSchema } from './safe-strings';

/*
 * What one payload (a job spec `tests:` entry) produced in one run, parsed
 * by the agent from the payload's marker lines (libs/payloads) and sent on
 * the run-events stream. The server stores samples and counters as
 * measurements, queryable by metric, machine, arch, build and job.
 */

/** Units the payload marker format allows (libs/payloads UNITS). */
export const MEASUREMENT_UNITS = ['ns', 'us', 'count', 'bytes', 'pages'] as const;
export const PAYLOAD_STATUSES = ['ok', 'skip', 'fail', 'incomplete'] as const;

const Metric = z.string().min(1).max(120).regex(/^[A-Za-z0-9_.:/-]+$/, 'is not a metric name');
const Labels = z.record(z.string().max(64).regex(/^[A-Za-z0-9_.:-]+$/), z.string().max(200)).refine((l) => Object.keys(l).length <= 32, 'at most 32 labels');
const Finite = z.number().finite();

export const PayloadSampleSchema = z.strictObject({
  metric: Metric,
  value: Finite,
  unit: z.enum(MEASUREMENT_UNITS),
  iteration: z.number().int().min(0).optional(),
  labels: Labels,
});

export const PayloadCountSchema = z.strictObject({ metric: Metric, value: Finite, unit: z.enum(MEASUREMENT_UNITS), labels: Labels });

export const PayloadCounterSchema = z.strictObject({
  /** Kernel function (`__add_pages`), `vmstat.<field>`, `warn_count`, `perf.cycles`... */
  name: Metric,
  /** kprobe | derived | vmstat | sysfs | perf */
  source: z.string().max(40),
  calls: Finite.optional(),
  totalNs: Finite.optional(),
  meanNs: Finite.optional(),
  maxNs: Finite.optional(),
  value: Finite.optional(),
  unit: z.enum(MEASUREMENT_UNITS).optional(),
  method: z.string().max(80).optional(),
  role: z.string().max(120).optional(),
  labels: Labels,
});

export const PayloadResultEventSchema = z.strictObject({
  type: z.literal('payload'),
  runId: z.string().uuid(),
  leaseToken: z.string(),
  /** The tests: entry: its payload name, its position in the list, and the loop iteration of the run. */
  test: z.strictObject({ name: NameSchema, index: z.number().int().min(0).max(1000), iteration: z.number().int().min(0) }),
  status: z.enum(PAYLOAD_STATUSES),
  /** Why it was skipped or failed (a SKIP always says why). */
  reason: z.string().max(1000).nullable(),
  params: z.record(z.string().max(64), z.string().max(200)),
  samples: z.array(PayloadSampleSchema).max(20000),
  counts: z.array(PayloadCountSchema).max(1000),
  counters: z.array(PayloadCounterSchema).max(1000),
  /** Counters this kernel could not give, and why (inlined, notrace, no tracefs...). */
  unavailable: z.array(z.strictObject({ counter: z.string().max(120), reason: z.string().max(200), detail: z.string().max(500).optional() })).max(200),
  /** Lines of the payload's output that could not be trusted (first few messages). */
  problems: z.array(z.string().max(500)).max(20),
  /** Kernel WARNING splats on the console while the payload ran. */
  warnings: z.number().int().min(0),
  seconds: z.number().min(0),
  at: z.string(),
});
export type PayloadResultEvent = z.infer<typeof PayloadResultEventSchema>;
