import { fmtP, fmtRatio, type MetricComparison, type Verdict } from '@pfnlab/stats';

/*
 * What `pfnlab stats compare` prints: one JSON object per metric per line
 * (the interface of issue 8, key order included, then extra fields), or an
 * aligned plain-text table with a summary line, which diffs and greps well.
 */

export interface CompareSettings {
  minEffect: number;
  alpha: number;
  resamples: number;
  seed: number;
}

/**
 * One JSON line's object. Infinite numbers (an interval's end when half of
 * the baseline's values are 0) become null, as JSON has no Infinity.
 */
export function toJsonRecord(row: MetricComparison, unit: string | undefined) {
  return {
    metric: row.metric,
    n: row.n,
    ratio: row.ratio,
    ci: row.ci,
    p: row.p,
    verdict: row.verdict,
    medians: row.medians,
    unit: unit ?? null,
    higherIsBetter: row.higherIsBetter,
    pMethod: row.pMethod,
    reason: row.reason,
  };
}

const VERDICT_WORDS: Record<Verdict, string> = {
  regression: 'REGRESSION',
  improvement: 'improvement',
  'no-change': 'no change',
  insufficient: 'insufficient',
  'no-ratio': 'no ratio',
};

const HEADER = ['metric', 'n', 'median A', 'median B', 'ratio', '95% CI', 'p', 'verdict'];
/** Numeric columns are right-aligned so that digits line up. */
const RIGHT = new Set(['n', 'median A', 'median B', 'ratio', 'p']);

/** The table, the notes of rows without a verdict, and the summary line. */
export function formatComparison(rows: MetricComparison[], units: ReadonlyMap<string, string>, s: CompareSettings): string {
  const cells = rows.map((r) => {
    const unit = units.get(r.metric);
    return [
      r.higherIsBetter ? `${r.metric} (+)` : r.metric,
      `${r.n[0]}/${r.n[1]}`,
      fmtValue(r.medians[0], unit),
      fmtValue(r.medians[1], unit),
      r.ratio === null ? '-' : fmtRatio(r.ratio),
      r.ci === null ? '-' : `[${fmtRatio(r.ci[0])}, ${fmtRatio(r.ci[1])}]`,
      r.p === null ? '-' : fmtP(r.p),
      VERDICT_WORDS[r.verdict],
    ];
  });
  const widths = HEADER.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (RIGHT.has(HEADER[i]) ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(HEADER), ...cells.map(line)];
  const notes = rows.filter((r) => r.verdict === 'insufficient' || r.verdict === 'no-ratio');
  if (notes.length > 0 || rows.some((r) => r.higherIsBetter)) out.push('');
  if (rows.some((r) => r.higherIsBetter)) out.push('(+) higher is better for this metric; for the others a larger value is worse.');
  for (const r of notes) out.push(`${r.metric}: ${r.reason}`);
  out.push('', summaryLine(rows, s));
  return out.join('\n') + '\n';
}

/** "4 metrics: 1 regression, 0 improvements, 2 no change, 1 without a verdict (...)". */
export function summaryLine(rows: MetricComparison[], s: CompareSettings): string {
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  const regressions = count('regression');
  const improvements = count('improvement');
  const none = count('insufficient') + count('no-ratio');
  const parts = [
    `${regressions} regression${regressions === 1 ? '' : 's'}`,
    `${improvements} improvement${improvements === 1 ? '' : 's'}`,
    `${count('no-change')} no change`,
  ];
  if (none > 0) parts.push(`${none} without a verdict`);
  const settings = `min effect ${Number((s.minEffect * 100).toPrecision(3))}%, alpha ${s.alpha}, ${s.resamples} bootstrap resamples, seed ${s.seed}`;
  return `${rows.length} metric${rows.length === 1 ? '' : 's'}: ${parts.join(', ')} (${settings})`;
}

/**
 * A median with its unit: four significant digits ("41.23 ms", "1.234e-7 s"),
 * but every integer digit from 1000 up, since call counts are read exactly
 * ("123456 calls", "123456.5 calls").
 */
export function fmtValue(v: number | null, unit: string | undefined): string {
  if (v === null) return '-';
  const a = Math.abs(v);
  const s = v === 0 ? '0' : a >= 1e15 || a < 1e-3 ? v.toExponential(3) : a >= 1000 ? String(Number(v.toFixed(1))) : String(Number(v.toPrecision(4)));
  return unit ? `${s} ${unit}` : s;
}
