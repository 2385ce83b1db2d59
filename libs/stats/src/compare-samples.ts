import { bootstrapRatioCi, DEFAULT_RESAMPLES, DEFAULT_SEED } from './bootstrap-ratio';
import { mannWhitneyU } from './mann-whitney';
import { median } from './median';
import { decideVerdict, fmtP, type Verdict } from './verdict';

export const DEFAULT_MIN_EFFECT = 0.05;
export const DEFAULT_ALPHA = 0.05;
/** Below this many samples on a side there is no verdict, only `insufficient`. */
export const MIN_SAMPLES = 3;

export interface CompareOptions {
  /** Smallest relative change that counts (default 0.05), in [0, 1). */
  minEffect?: number;
  /** Significance level of the Mann-Whitney test (default 0.05), in (0, 1). */
  alpha?: number;
  /** Default false: a larger value is worse (times, call counts, cycles). */
  higherIsBetter?: boolean;
  /** Bootstrap resamples (default 10,000). */
  resamples?: number;
  /** Bootstrap seed (default DEFAULT_SEED): the same inputs and seed give the same interval. */
  seed?: number;
  /**
   * Skip the bootstrap when p ≥ alpha (`ci` is then null): the verdict cannot
   * be anything but no-change there. For simulations, which run thousands of
   * comparisons; a person reading a table wants the interval every time.
   */
  lazyInterval?: boolean;
}

export interface SampleComparison {
  /** Sample counts [baseline, candidate]. */
  n: [number, number];
  /** Medians [baseline, candidate]; null for a side without samples. */
  medians: [number | null, number | null];
  /** median(candidate) / median(baseline); null when there is no ratio. */
  ratio: number | null;
  /** Percentile-bootstrap 95% interval of the ratio; null without a verdict-grade ratio. */
  ci: [number, number] | null;
  /** Two-sided Mann-Whitney p-value; null when a side has no samples. */
  p: number | null;
  pMethod: 'exact' | 'normal' | null;
  verdict: Verdict;
  /** Why this verdict, one line, for people. */
  reason: string;
  higherIsBetter: boolean;
}

interface Resolved {
  minEffect: number;
  alpha: number;
  higherIsBetter: boolean;
  resamples: number;
  seed: number;
  lazyInterval: boolean;
}

/** Validates options once and fills defaults; throws RangeError naming the bad option. */
export function resolveCompareOptions(options: CompareOptions = {}): Resolved {
  const r: Resolved = {
    minEffect: options.minEffect ?? DEFAULT_MIN_EFFECT,
    alpha: options.alpha ?? DEFAULT_ALPHA,
    higherIsBetter: options.higherIsBetter ?? false,
    resamples: options.resamples ?? DEFAULT_RESAMPLES,
    seed: options.seed ?? DEFAULT_SEED,
    lazyInterval: options.lazyInterval ?? false,
  };
  if (!(r.minEffect >= 0 && r.minEffect < 1)) throw new RangeError(`min effect must be in [0, 1), got ${r.minEffect}`);
  if (!(r.alpha > 0 && r.alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${r.alpha}`);
  if (!Number.isInteger(r.resamples) || r.resamples < 100 || r.resamples > 1_000_000) {
    throw new RangeError(`resamples must be an integer from 100 to 1000000, got ${r.resamples}`);
  }
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > 0xffffffff) throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${r.seed}`);
  return r;
}

/**
 * Compares a candidate's samples with a baseline's for one metric: ratio of
 * medians, its bootstrap 95% CI, the Mann-Whitney p-value and the verdict
 * (see decideVerdict). Samples must be finite (RangeError otherwise: a NaN is
 * a bug upstream, not a measurement).
 *
 * When there is no verdict:
 * - `insufficient`: a side has fewer than MIN_SAMPLES (3) samples, or so few
 *   that no arrangement of their ranks can reach p < alpha (3 against 3 gives
 *   at best p = 0.1; 4 against 4 is the least that can reach 0.05). Ratio and
 *   p are still given when computable, the CI is not.
 * - `no-ratio`: negative samples, or a baseline median of 0 (a counter that
 *   the baseline never hit, or that both never hit): a ratio is undefined, so
 *   the reason gives both medians and the p-value instead.
 */
export function compareSamples(baseline: readonly number[], candidate: readonly number[], options: CompareOptions = {}): SampleComparison {
  const o = resolveCompareOptions(options);
  checkFinite(baseline, 'baseline');
  checkFinite(candidate, 'candidate');
  const n: [number, number] = [baseline.length, candidate.length];
  const medians: [number | null, number | null] = [n[0] ? median(baseline) : null, n[1] ? median(candidate) : null];
  const base = { n, medians, higherIsBetter: o.higherIsBetter };
  if (n[0] === 0 || n[1] === 0) {
    const side = n[0] === 0 ? 'baseline' : 'candidate';
    return { ...base, ratio: null, ci: null, p: null, pMethod: null, verdict: 'insufficient', reason: `no samples in the ${side}` };
  }
  const mw = mannWhitneyU(baseline, candidate);
  const tested = { ...base, p: mw.p, pMethod: mw.method };
  const [ma, mb] = medians as [number, number];
  const noRatio = noRatioReason(baseline, candidate, ma, mb);
  // Too few samples first: "ask for more runs" is the advice that helps most, ratio or not.
  const few = insufficientReason(n[0], n[1], o.alpha);
  if (few) return { ...tested, ratio: noRatio ? null : mb / ma, ci: null, verdict: 'insufficient', reason: few };
  if (noRatio) return { ...tested, ratio: null, ci: null, verdict: 'no-ratio', reason: `${noRatio}; p ${fmtP(mw.p)}` };
  const ratio = mb / ma;
  if (o.lazyInterval && mw.p >= o.alpha) {
    return { ...tested, ratio, ci: null, verdict: 'no-change', reason: `p ${fmtP(mw.p)} ≥ alpha ${o.alpha}` };
  }
  const ci = bootstrapRatioCi(baseline, candidate, { resamples: o.resamples, seed: o.seed });
  return { ...tested, ratio, ci, ...decideVerdict(ci, mw.p, o) };
}

function checkFinite(values: readonly number[], side: string): void {
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) {
      throw new RangeError(`${side} sample ${i + 1} is ${String(values[i])}: samples must be finite numbers`);
    }
  }
}

function noRatioReason(baseline: readonly number[], candidate: readonly number[], ma: number, mb: number): string | null {
  if (baseline.some((v) => v < 0) || candidate.some((v) => v < 0)) {
    return 'negative samples: a ratio of medians needs values ≥ 0 (compare a difference instead)';
  }
  if (ma === 0) {
    return mb === 0
      ? 'both medians are 0: no ratio'
      : `the baseline median is 0, so no ratio (candidate median ${Number(mb.toPrecision(4))})`;
  }
  return null;
}

/** Why these sample counts cannot give a verdict, or null when they can. */
export function insufficientReason(nA: number, nB: number, alpha: number): string | null {
  if (Math.min(nA, nB) < MIN_SAMPLES) {
    const have = nA === nB ? `${nA} sample(s) per side` : nA < nB ? `${nA} sample(s) in the baseline` : `${nB} sample(s) in the candidate`;
    return `${have}: at least ${MIN_SAMPLES} per side are needed`;
  }
  const best = smallestTwoSidedP(nA, nB);
  if (best >= alpha) {
    return `with ${nA} and ${nB} samples no p-value can fall below alpha ${alpha} (smallest possible ${fmtP(best)}): ask for more runs`;
  }
  return null;
}

/**
 * The smallest two-sided p-value the exact test can give: every candidate
 * value above every baseline value, 2 / C(nA + nB, nA).
 */
export function smallestTwoSidedP(nA: number, nB: number): number {
  let c = 1; // C(nA + nB, k), built up for k = 1..min(nA, nB)
  const k = Math.min(nA, nB);
  for (let i = 1; i <= k; i++) c = (c * (nA + nB - k + i)) / i;
  return Math.min(1, 2 / c);
}
