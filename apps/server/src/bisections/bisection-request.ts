import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { CriterionError, parseCriterion, resolveOptions, type BisectOptions, type Criterion } from '@pfnlab/bisect';
import { GitRefSchema, parseJobSpecText, validateJobSpec, type JobSpec } from '@pfnlab/contracts';

/*
 * `POST /api/bisections`: the body's shape (zod, through ZodPipe), then the
 * parts that need more than a shape: the job spec (the job submission's
 * own validation, YAML text or an object), the criterion (libs/bisect's
 * grammar) and the options' ranges. Each failure is a 400 naming the field.
 */

export const BisectOptionsSchema = z.strictObject({
  verifyRuns: z.number().int().min(1).max(100).optional(),
  maxRuns: z.number().int().min(1).max(100).optional(),
  missRisk: z.number().gt(0).max(0.5).optional(),
  metricRuns: z.number().int().min(1).max(100).optional(),
  baselineRuns: z.number().int().min(1).max(100).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
  maxSteps: z.number().int().min(1).max(10_000).optional(),
});

export const BisectionRequestSchema = z.strictObject({
  /** A job spec as for `POST /api/jobs`: YAML or JSON text, or the object. Its kernel must be built from a tree. */
  spec: z.union([z.string().min(1).max(256 * 1024), z.record(z.string(), z.unknown())]),
  good: GitRefSchema,
  bad: GitRefSchema,
  criterion: z.string().min(1).max(400),
  options: BisectOptionsSchema.optional(),
});
export type BisectionRequest = z.infer<typeof BisectionRequestSchema>;

/** A job spec whose kernel is built from a tree at a ref (the ref is what each step replaces). */
export type TreeJobSpec = JobSpec & { kernel: Extract<JobSpec['kernel'], { tree: string }> };

export interface CheckedBisectionRequest {
  spec: TreeJobSpec;
  criterion: Criterion;
  options: BisectOptions;
}

interface Problem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

function badRequest(message: string, problems: Problem[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message, problems });
}

export function checkBisectionRequest(req: BisectionRequest): CheckedBisectionRequest {
  let criterion: Criterion;
  try {
    criterion = parseCriterion(req.criterion);
  } catch (e) {
    if (!(e instanceof CriterionError)) throw e;
    throw badRequest(`invalid criterion: ${e.message}`, [{ path: 'criterion', message: `${e.message} (boot | crash:"TITLE" | metric:NAME>+X%)` }]);
  }
  const parsed = typeof req.spec === 'string' ? parseJobSpecText(req.spec) : validateJobSpec(req.spec);
  if (!parsed.ok) {
    const problems = parsed.problems.map(({ path, message, line, column }) => ({ path: `spec${path ? `.${path}` : ''}`, message, line, column }));
    throw badRequest(`invalid job spec: ${problems.length} problem(s)`, problems);
  }
  const spec = parsed.value;
  if (!('tree' in spec.kernel)) {
    throw badRequest('invalid job spec: a bisection builds each commit, so its kernel must name a tree', [
      { path: 'spec.kernel', message: 'must be {tree, ref, ...} (a build from source), not an existing build or image' },
    ]);
  }
  if (spec.baseline) {
    throw badRequest('invalid job spec: a bisection step is one kernel; an A/B baseline has no place in it', [
      { path: 'spec.baseline', message: 'remove it; for a slowdown use a criterion metric:NAME>+X%' },
    ]);
  }
  const options = req.options ?? {};
  try {
    // The commit count is not known yet; the range is checked again with it when the bisection starts.
    resolveOptions(criterion.kind, Math.max(2, options.maxSteps ?? 2), options);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw badRequest(`invalid options: ${e.message}`, [{ path: `options.${e.message.split(' ')[0]}`, message: e.message }]);
  }
  return { spec: spec as TreeJobSpec, criterion, options };
}

/**
 * The job one step submits: the spec with the commit as its ref, the runs
 * asked for, and a name saying what it is. Its FAILs are not rerun to
 * confirm them: libs/bisect decides how many runs a step needs (lab ERRORs
 * are still retried).
 */
export function stepJobSpec(spec: TreeJobSpec, commit: string, runs: number, step: number): TreeJobSpec {
  return { ...spec, name: `bisect ${commit.slice(0, 12)} step ${step}`, kernel: { ...spec.kernel, ref: commit }, repeat: runs, retry: { ...spec.retry, confirmFail: false } };
}
