import { z } from 'zod';
import { ARCHES, NameSchema } from '@pfnlab/contracts';

/** Outside inputs of the measurements and comparisons API, validated at the door (400 naming the field). */

const MetricName = z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:/@+-]+$/, 'is not a metric name');
const Uuid = (what: string) => z.string().uuid(`must be a ${what} id (UUID)`);

export const MeasurementQuerySchema = z.strictObject({
  metric: MetricName.optional(),
  machine: Uuid('machine').optional(),
  arch: z.enum(ARCHES).optional(),
  build: Uuid('build').optional(),
  job: Uuid('job').optional(),
  run: Uuid('run').optional(),
  payload: NameSchema.optional(),
  kind: z.enum(['sample', 'count', 'counter']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().regex(/^[0-9]{1,19}$/, 'must be the nextCursor value of the previous page').optional(),
});
export type MeasurementQuery = z.infer<typeof MeasurementQuerySchema>;

export const ComparisonSideSchema = z.union([
  /** A job's runs; of an A/B job, its candidate runs unless `variant: baseline`. */
  z.strictObject({ job: Uuid('job'), variant: z.enum(['baseline', 'candidate']).optional() }),
  z.strictObject({ build: Uuid('build') }),
  z.strictObject({ runs: z.array(Uuid('run')).min(1).max(500) }),
]);
export type ComparisonSide = z.infer<typeof ComparisonSideSchema>;

export const ComparisonRequestSchema = z.strictObject({
  baseline: ComparisonSideSchema,
  candidate: ComparisonSideSchema,
  /** Only these metrics (default: every metric either side has). */
  metrics: z.array(MetricName).min(1).max(200).optional(),
  minEffect: z.number().min(0).lt(1).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
  higherIsBetter: z.array(MetricName).max(200).optional(),
});
export type ComparisonRequest = z.infer<typeof ComparisonRequestSchema>;

export const ComparisonListQuerySchema = z.strictObject({
  job: Uuid('job').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ComparisonListQuery = z.infer<typeof ComparisonListQuerySchema>;
