import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@pfnlab/stats';
import { pfnlab as runPfnlab } from '../support/pfnlab-cli';

/*
 * `pfnlab stats compare` as a user runs it: the built CLI (npm run build) in
 * a subprocess, on CSV files in a temporary directory. No server needed.
 */

/** No server: only PATH in the environment. */
const pfnlab = (args: string[], stdin = '') => runPfnlab(args, {}, stdin);

/** n log-normal hot-add times around `median` ms, about 5% apart run to run. */
function hotAddTimes(seed: number, n: number, median: number): number[] {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () => Number((median * Math.exp(0.05 * r.normal())).toFixed(3)));
}

function csv(rows: Array<[string, number, string?]>, withUnit = true): string {
  const head = withUnit ? 'metric,value,unit' : 'metric,value';
  return [head, ...rows.map(([m, v, u]) => (withUnit ? `${m},${v},${u ?? ''}` : `${m},${v}`))].join('\n') + '\n';
}

const JSON_KEYS = ['metric', 'n', 'ratio', 'ci', 'p', 'verdict', 'medians', 'unit', 'higherIsBetter', 'pMethod', 'reason'];

describe('pfnlab stats compare (built CLI, no server)', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  let baseline: string;
  let slower: string;
  let again: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pfnlab-stats-'));
    const online = hotAddTimes(1, 10, 40);
    const offline = hotAddTimes(2, 10, 12);
    baseline = file('baseline.csv', csv([...online.map((v) => ['hotplug.online_ms', v, 'ms'] as [string, number, string]), ...offline.map((v) => ['hotplug.offline_ms', v, 'ms'] as [string, number, string])]));
    // The candidate: online 20% slower, offline unchanged (drawn again).
    slower = file('slower.csv', csv([...online.map((v) => ['hotplug.online_ms', Number((v * 1.2).toFixed(3)), 'ms'] as [string, number, string]), ...hotAddTimes(3, 10, 12).map((v) => ['hotplug.offline_ms', v, 'ms'] as [string, number, string])]));
    // A/A: the same kernel measured again.
    again = file('again.csv', csv([...hotAddTimes(4, 10, 40).map((v) => ['hotplug.online_ms', v, 'ms'] as [string, number, string]), ...hotAddTimes(5, 10, 12).map((v) => ['hotplug.offline_ms', v, 'ms'] as [string, number, string])]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a clear 20% regression, its CI above 1.05, and exits 1', async () => {
    const r = await pfnlab(['stats', 'compare', baseline, slower, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.metric)).toEqual(['hotplug.offline_ms', 'hotplug.online_ms']);
    const online = rows[1];
    expect(online.verdict).toBe('regression');
    expect(online.ratio).toBeCloseTo(1.2, 2);
    expect(online.ci[0]).toBeGreaterThan(1.05);
    expect(online.ci[1]).toBeGreaterThanOrEqual(online.ratio);
    expect(online.p).toBeLessThan(0.001);
    expect(rows[0].verdict).toBe('no-change');
  });

  it('prints one JSON object per metric per line with the documented keys, in order', async () => {
    const r = await pfnlab(['stats', 'compare', baseline, slower, '--json']);
    for (const line of r.stdout.trimEnd().split('\n')) {
      const o = JSON.parse(line);
      expect(Object.keys(o)).toEqual(JSON_KEYS);
      expect(o.n).toEqual([10, 10]);
      expect(o.ci).toHaveLength(2);
      expect(o.ci[0]).toBeLessThanOrEqual(o.ratio);
      expect(o.unit).toBe('ms');
      expect(o.higherIsBetter).toBe(false);
      expect(['regression', 'improvement', 'no-change']).toContain(o.verdict);
    }
  });

  it('says no change for an A/A pair and exits 0', async () => {
    const r = await pfnlab(['stats', 'compare', baseline, again, '--json']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.verdict)).toEqual(['no-change', 'no-change']);
    for (const x of rows) {
      expect(x.ci[0]).toBeLessThan(1.05);
      expect(x.ci[1]).toBeGreaterThan(0.95);
    }
  });

  it('prints an aligned table with the verdict words and a summary line', async () => {
    const r = await pfnlab(['stats', 'compare', baseline, slower]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^metric\s+n\s+median A\s+median B\s+ratio\s+95% CI\s+p\s+verdict$/);
    expect(lines[1]).toMatch(/^hotplug\.offline_ms\s+10\/10\s+[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+\s+\[[\d.]+, [\d.]+\]\s+\S+\s+no change$/);
    expect(lines[2]).toMatch(/^hotplug\.online_ms\s+10\/10\s+[\d.]+ ms\s+[\d.]+ ms\s+1\.\d{3}\s+\[1\.\d{3}, 1\.\d{3}\]\s+\S+\s+REGRESSION$/);
    // Aligned: each column starts at the same offset on every row.
    expect(lines[1].indexOf('10/10')).toBe(lines[2].indexOf('10/10'));
    expect(lines[0].indexOf('verdict')).toBe(lines[2].indexOf('REGRESSION'));
    expect(lines.at(-1)).toBe('2 metrics: 1 regression, 0 improvements, 1 no change (min effect 5%, alpha 0.05, 10000 bootstrap resamples, seed 1)');
  });

  it('turns the verdict round for --higher-is-better, and exits 0 on an improvement', async () => {
    const r = await pfnlab(['stats', 'compare', baseline, slower, '--json', '--higher-is-better', 'hotplug.online_ms']);
    expect(r.code).toBe(0);
    const online = JSON.parse(r.stdout.trimEnd().split('\n')[1]);
    expect(online).toMatchObject({ metric: 'hotplug.online_ms', verdict: 'improvement', higherIsBetter: true });
  });

  it('gives the same figures for the same seed, others for another; takes --min-effect as a percentage', async () => {
    const one = await pfnlab(['stats', 'compare', baseline, slower, '--json', '--seed', '7']);
    const same = await pfnlab(['stats', 'compare', baseline, slower, '--json', '--seed', '7']);
    const other = await pfnlab(['stats', 'compare', baseline, slower, '--json', '--seed', '8']);
    expect(same.stdout).toBe(one.stdout);
    expect(other.stdout).not.toBe(one.stdout);
    const wide = await pfnlab(['stats', 'compare', baseline, slower, '--min-effect', '30%']);
    expect(wide.code).toBe(0); // a 20% slowdown is not a 30% one
    expect(wide.stdout).toMatch(/min effect 30%/);
  });

  it('reads the baseline from standard input with -', async () => {
    const r = await pfnlab(['stats', 'compare', '-', slower, '--json'], csv([['hotplug.online_ms', 40, 'ms'], ['hotplug.online_ms', 41, 'ms'], ['hotplug.online_ms', 39, 'ms'], ['hotplug.online_ms', 40.5, 'ms']]));
    expect(r.stderr).toBe('');
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.find((x) => x.metric === 'hotplug.online_ms')).toMatchObject({ n: [4, 10], verdict: 'regression' });
    expect(rows.find((x) => x.metric === 'hotplug.offline_ms')).toMatchObject({ n: [0, 10], verdict: 'insufficient', reason: 'no samples in the baseline' });
  });

  it('explains metrics without a verdict under the table', async () => {
    const a = file('zeros-a.csv', csv([0, 0, 0, 0, 0].map((v) => ['warnings', v] as [string, number])));
    const b = file('zeros-b.csv', csv([2, 3, 2, 4, 3].map((v) => ['warnings', v] as [string, number])));
    const r = await pfnlab(['stats', 'compare', a, b]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^warnings\s+5\/5\s+0\s+3\s+-\s+-\s+0\.0\d+\s+no ratio$/m);
    expect(r.stdout).toContain('warnings: the baseline median is 0, so no ratio (candidate median 3); p 0.0');
    expect(r.stdout).toMatch(/1 metric: 0 regressions, 0 improvements, 0 no change, 1 without a verdict/);
  });

  it('refuses a bad CSV with exit 2, naming file and line', async () => {
    const bad = file('bad.csv', 'metric,value\nhotplug.online_ms,41.2\nhotplug.online_ms,4l.0\nhotplug.online_ms\n');
    const r = await pfnlab(['stats', 'compare', baseline, bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`pfnlab: ${bad}:3: value "4l.0" is not a number\npfnlab: ${bad}:4: expected 2 fields (metric,value), got 1: "hotplug.online_ms"\n`);
  });

  it('refuses a wrong header, a header-only file and a missing file with exit 2', async () => {
    const header = file('header.csv', 'name,value\nx,1\n');
    expect(await pfnlab(['stats', 'compare', header, baseline])).toMatchObject({
      code: 2,
      stderr: `pfnlab: ${header}:1: the header must be "metric,value" or "metric,value,unit", got "name,value"\n`,
    });
    const empty = file('empty.csv', 'metric,value\n');
    expect((await pfnlab(['stats', 'compare', baseline, empty])).stderr).toBe(`pfnlab: ${empty} has a header but no samples\n`);
    const missing = join(dir, 'nope.csv');
    expect(await pfnlab(['stats', 'compare', missing, baseline])).toMatchObject({ code: 2, stderr: `pfnlab: cannot read ${missing}: ENOENT\n` });
  });

  it('refuses units that differ between the files', async () => {
    const us = file('us.csv', csv([1, 2, 3].map((v) => ['hotplug.online_ms', v, 'us'] as [string, number, string])));
    const r = await pfnlab(['stats', 'compare', baseline, us]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pfnlab: hotplug\.online_ms is in ms in .*baseline\.csv but in us in .*us\.csv\n/);
  });

  it('refuses bad options with exit 2 before reading anything', async () => {
    expect(await pfnlab(['stats', 'compare', baseline, slower, '--min-effect', '1.5'])).toMatchObject({
      code: 2,
      stderr: 'pfnlab: --min-effect must be a number in [0, 1) such as 0.05 or 5%, not "1.5"\n',
    });
    expect((await pfnlab(['stats', 'compare', baseline, slower, '--alpha', '0'])).code).toBe(2);
    expect((await pfnlab(['stats', 'compare', baseline, slower, '--seed', 'x'])).code).toBe(2);
    const unknown = await pfnlab(['stats', 'compare', baseline, slower, '--higher-is-better', 'throughput']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--higher-is-better throughput: no such metric/);
    expect((await pfnlab(['stats', 'compare', baseline])).code).toBe(2); // missing argument
  });

  it('documents the exit status and the JSON in --help', async () => {
    const r = await pfnlab(['stats', 'compare', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit status: 0 no regression, 1 at least one regression, 2 invalid or unreadable/);
    expect(r.stdout).toMatch(/--higher-is-better <metric>/);
  });
});

describe('pfnlab stats simulate (built CLI)', () => {
  it('prints verdict rates for an A/A and a shifted case', async () => {
    const r = await pfnlab(['stats', 'simulate', '--sizes', '5', '--ratios', '1,1.2', '--trials', '200', '--resamples', '500', '--json']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.n, x.trueRatio, x.trials])).toEqual([
      [5, 1, 200],
      [5, 1.2, 200],
    ]);
    expect(rows[0].rates.regression + rows[0].rates.improvement).toBeLessThanOrEqual(0.05);
    expect(rows[1].rates.regression).toBeGreaterThan(rows[0].rates.regression);
  });
});
