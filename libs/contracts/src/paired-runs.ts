import type { JobSpec } from './job-spec';

/*
 * A job with a `baseline:` is an A/B job. With `baseline: {cmdline}` or
 * `baseline: {build}` pfnlab runs both sides itself, `repeat` runs each, on
 * one machine, alternating baseline and candidate (B0 C0 B1 C1 ...) so a
 * drift of the machine over the hours (thermal, firmware, a neighbour on
 * the switch) hits both sides alike instead of looking like an effect.
 * With `baseline: {job}` the other job's runs are the baseline and only
 * the candidate runs here. A regression found in round 1 is confirmed by a
 * second, independent round before anyone is told (libs/stats ab-rounds).
 */

export type RunVariant = 'baseline' | 'candidate';
export const RUN_VARIANTS: readonly RunVariant[] = ['baseline', 'candidate'];

/** The runs of one round: 1 measures, 2 confirms a regression round 1 found. */
export type AbRound = 1 | 2;

export interface RunSlot {
  variant: RunVariant;
  /** Unique per variant across rounds: round 2's iterations follow round 1's. */
  iteration: number;
  round: AbRound;
}

/** A job whose baseline runs are dispatched by this job (not another job's runs). */
export function runsBaselineItself(spec: Pick<JobSpec, 'baseline'>): boolean {
  return !!spec.baseline && !('job' in spec.baseline);
}

/** Every run the job has in `rounds` rounds, in dispatch order. */
export function runSlots(spec: Pick<JobSpec, 'baseline' | 'repeat'>, rounds: AbRound = 1): RunSlot[] {
  const out: RunSlot[] = [];
  const paired = runsBaselineItself(spec);
  for (let round = 1 as AbRound; round <= rounds; round++) {
    for (let i = 0; i < spec.repeat; i++) {
      const iteration = (round - 1) * spec.repeat + i;
      if (paired) out.push({ variant: 'baseline', iteration, round });
      out.push({ variant: 'candidate', iteration, round });
    }
  }
  return out;
}

/** The spec a run of this variant executes: the baseline side boots with the baseline's cmdline or build. */
export function specForVariant(spec: JobSpec, variant: RunVariant): JobSpec {
  if (variant === 'candidate' || !spec.baseline || 'job' in spec.baseline) return spec;
  if ('cmdline' in spec.baseline) return { ...spec, boot: { ...spec.boot, cmdline: [...spec.baseline.cmdline] } };
  return { ...spec, kernel: { build: spec.baseline.build } };
}

/**
 * Fewer runs per side than this cannot show any difference at the 5 % level
 * (the smallest two-sided Mann-Whitney p with 3 against 3 is 0.1).
 */
export const MIN_AB_REPEAT = 4;
