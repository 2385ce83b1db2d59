import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { compareMetrics, type MetricComparison } from '@pfnlab/stats';
import { ComparisonEntity } from '../db/entities';
import { checkDisjoint, comparisonWarnings, describeSide, loadSide } from './comparison-sides';
import type { ComparisonListQuery, ComparisonRequest } from './measurement-schemas';

export type OverallVerdict = 'regression' | 'improvement' | 'no-change' | 'mixed' | 'insufficient';

export const SAMPLING_NOTE =
  'one sample per run per metric: the median of the run\'s values (iterations within one boot are not independent samples)';

export interface ComparisonResultRow {
  metric: string;
  unit: string | null;
  n: [number, number];
  medians: [number | null, number | null];
  ratio: number | null;
  ci: [number | null, number | null] | null;
  p: number | null;
  pMethod: string | null;
  verdict: MetricComparison['verdict'];
  higherIsBetter: boolean;
  reason: string;
}

export interface ComparisonView {
  id: string;
  baseline: Record<string, unknown>;
  candidate: Record<string, unknown>;
  options: Record<string, unknown>;
  sampling: string;
  /** Caveats for people (the sides ran on different machines). */
  warnings: string[];
  results: ComparisonResultRow[];
  verdict: OverallVerdict;
  createdBy: string | null;
  /** Made by this A/B job at the end of this round. */
  jobId: string | null;
  round: number | null;
  createdAt: string;
}

/** Regression and improvement on different metrics: mixed; any verdict at all beats none. */
export function overallVerdict(rows: Array<{ verdict: MetricComparison['verdict'] }>): OverallVerdict {
  const has = (v: string) => rows.some((r) => r.verdict === v);
  if (has('regression') && has('improvement')) return 'mixed';
  if (has('regression')) return 'regression';
  if (has('improvement')) return 'improvement';
  if (has('no-change')) return 'no-change';
  return 'insufficient';
}

/** JSON has no Infinity: an interval end at Infinity (a zero baseline median in a resample) is stored as null. */
const finite = (x: number | null) => (x === null || Number.isFinite(x) ? x : null);

/**
 * Baseline-versus-candidate comparisons of stored measurements with
 * libs/stats compareMetrics (ratio of medians, bootstrap 95% CI,
 * Mann-Whitney p, verdict with a minimum effect). Each stored comparison is
 * a derived record: computing one changes nothing else.
 */
@Injectable()
export class ComparisonsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(ComparisonEntity) private readonly comparisons: Repository<ComparisonEntity>,
  ) {}

  async create(req: ComparisonRequest, userId: string | null): Promise<ComparisonView> {
    return toView(await this.comparisons.save(this.comparisons.create({ ...(await this.compute(req)), createdBy: userId })));
  }

  /** The comparison's row, not stored: an A/B job stores it together with its own decision. */
  async compute(req: ComparisonRequest): Promise<Pick<ComparisonEntity, 'baseline' | 'candidate' | 'options' | 'results' | 'verdict'>> {
    const baseline = await loadSide(this.db, 'baseline', req.baseline, req.metrics);
    const candidate = await loadSide(this.db, 'candidate', req.candidate, req.metrics);
    checkDisjoint(baseline, candidate);
    let rows: MetricComparison[];
    try {
      rows = compareMetrics(baseline.samples, candidate.samples, { minEffect: req.minEffect, alpha: req.alpha, higherIsBetter: req.higherIsBetter });
    } catch (e) {
      if (e instanceof RangeError) throw new BadRequestException(e.message);
      throw e;
    }
    // A requested metric neither side has is still a row, so the answer says it is missing.
    const missing = (req.metrics ?? []).filter((m) => !rows.some((r) => r.metric === m));
    const all = [...rows, ...compareMetrics(new Map(missing.map((m) => [m, []])), new Map())].sort((a, b) => (a.metric < b.metric ? -1 : 1));
    const results: ComparisonResultRow[] = all.map((r) => ({
      metric: r.metric,
      unit: baseline.units.get(r.metric) ?? candidate.units.get(r.metric) ?? null,
      n: r.n,
      medians: r.medians,
      ratio: finite(r.ratio),
      ci: r.ci ? [finite(r.ci[0]), finite(r.ci[1])] : null,
      p: r.p,
      pMethod: r.pMethod,
      verdict: r.verdict,
      higherIsBetter: r.higherIsBetter,
      reason: r.reason,
    }));
    return {
      baseline: { ...req.baseline, label: describeSide(req.baseline), runCount: baseline.runs.length, machines: baseline.machines },
      candidate: { ...req.candidate, label: describeSide(req.candidate), runCount: candidate.runs.length, machines: candidate.machines },
      options: { minEffect: req.minEffect ?? 0.05, alpha: req.alpha ?? 0.05, higherIsBetter: req.higherIsBetter ?? [], metrics: req.metrics ?? null, sampling: SAMPLING_NOTE },
      results,
      verdict: overallVerdict(results),
    };
  }

  /** Newest first; `job` limits it to the comparisons an A/B job made. */
  async list(q: ComparisonListQuery): Promise<{ items: ComparisonView[] }> {
    const rows = await this.comparisons.find({ where: q.job ? { jobId: q.job } : {}, order: { createdAt: 'DESC' }, take: q.limit });
    return { items: rows.map(toView) };
  }

  async get(id: string): Promise<ComparisonView> {
    const c = await this.comparisons.findOne({ where: { id } });
    if (!c) throw new NotFoundException(`no comparison ${id}`);
    return toView(c);
  }
}

function toView(c: ComparisonEntity): ComparisonView {
  return {
    id: c.id,
    baseline: c.baseline,
    candidate: c.candidate,
    options: c.options,
    sampling: SAMPLING_NOTE,
    warnings: comparisonWarnings(c.baseline, c.candidate),
    results: c.results as ComparisonResultRow[],
    verdict: (c.verdict ?? 'insufficient') as OverallVerdict,
    createdBy: c.createdBy,
    jobId: c.jobId,
    round: c.round,
    createdAt: c.createdAt.toISOString(),
  };
}
