import type { MetricComparison } from '@pfnlab/stats';
import { CliError } from '../cli-error';
import { fmtValue, formatComparison, summaryLine, toJsonRecord } from './stats-format';
import { collect, fractionOption, integerOption, listOption } from './stats-options';

const settings = { minEffect: 0.05, alpha: 0.05, resamples: 10_000, seed: 1 };

function row(o: Partial<MetricComparison>): MetricComparison {
  return {
    metric: 'm',
    n: [10, 10],
    medians: [40, 48],
    ratio: 1.2,
    ci: [1.1, 1.3],
    p: 0.0001,
    pMethod: 'exact',
    verdict: 'regression',
    reason: 'r',
    higherIsBetter: false,
    ...o,
  };
}

describe('stats option parsers', () => {
  it('reads fractions as numbers or percentages, within their range', () => {
    const minEffect = fractionOption('--min-effect', 0, 1);
    expect(minEffect('0.05')).toBe(0.05);
    expect(minEffect('5%')).toBe(0.05);
    expect(minEffect('0')).toBe(0);
    expect(() => minEffect('1')).toThrow(CliError);
    expect(() => minEffect('-0.1')).toThrow('--min-effect must be a number in [0, 1) such as 0.05 or 5%, not "-0.1"');
    expect(() => minEffect('abc')).toThrow(CliError);
    expect(() => fractionOption('--alpha', 0, 1, true)('0')).toThrow('--alpha must be a number in (0, 1)');
  });

  it('reads whole numbers and lists, and collects repeated options', () => {
    expect(integerOption('--seed', 0, 10)('7')).toBe(7);
    expect(() => integerOption('--seed', 0, 10)('1.5')).toThrow('--seed must be a whole number from 0 to 10, not "1.5"');
    expect(() => integerOption('--seed', 0, 10)('11')).toThrow(CliError);
    expect(listOption('--sizes', integerOption('--sizes', 1, 100))('5, 10,30')).toEqual([5, 10, 30]);
    expect(() => listOption('--sizes', Number)('5,,10')).toThrow(/comma-separated list/);
    expect(collect('b', collect('a', undefined))).toEqual(['a', 'b']);
  });
});

describe('stats compare output', () => {
  it('formats values with four significant digits and the unit', () => {
    expect(fmtValue(41.23456, 'ms')).toBe('41.23 ms');
    expect(fmtValue(125, 'calls')).toBe('125 calls');
    expect(fmtValue(123456, undefined)).toBe('123456');
    expect(fmtValue(123456.5, 'calls')).toBe('123456.5 calls');
    expect(fmtValue(1234.5678, undefined)).toBe('1234.6');
    expect(fmtValue(0.0000001234, 's')).toBe('1.234e-7 s');
    expect(fmtValue(0, undefined)).toBe('0');
    expect(fmtValue(null, 'ms')).toBe('-');
  });

  it('writes an infinite interval end as null in JSON and inf in the table', () => {
    const r = row({ ci: [1.1, Infinity], verdict: 'regression' });
    expect(JSON.parse(JSON.stringify(toJsonRecord(r, undefined))).ci).toEqual([1.1, null]);
    expect(formatComparison([r], new Map(), settings)).toContain('[1.100, inf]');
  });

  it('marks higher-is-better metrics and explains them under the table', () => {
    const out = formatComparison([row({ metric: 'throughput', higherIsBetter: true, verdict: 'improvement' })], new Map([['throughput', 'MiB/s']]), settings);
    expect(out).toMatch(/^throughput \(\+\)\s+10\/10\s+40 MiB\/s\s+48 MiB\/s\s+1\.200\s+\[1\.100, 1\.300\]\s+1\.0e-4\s+improvement$/m);
    expect(out).toContain('(+) higher is better for this metric');
  });

  it('counts verdicts in the summary line', () => {
    const rows = [row({}), row({ verdict: 'regression' }), row({ verdict: 'no-change' }), row({ verdict: 'insufficient' }), row({ verdict: 'no-ratio' })];
    expect(summaryLine(rows, settings)).toBe(
      '5 metrics: 2 regressions, 0 improvements, 1 no change, 2 without a verdict (min effect 5%, alpha 0.05, 10000 bootstrap resamples, seed 1)',
    );
    expect(summaryLine([row({ verdict: 'improvement' })], { ...settings, minEffect: 0.1 })).toBe(
      '1 metric: 0 regressions, 1 improvement, 0 no change (min effect 10%, alpha 0.05, 10000 bootstrap resamples, seed 1)',
    );
  });
});
