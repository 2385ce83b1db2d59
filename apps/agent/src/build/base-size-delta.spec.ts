import { compareSymbolSizes } from '@pfnlab/builds';
import { summarizeSizeDelta } from './base-size-delta';

const KEY = 'a'.repeat(64);
const nm = (rows: Array<[string, number, string]>) => rows.map(([name, size, type]) => `ffffffff81000000 ${size.toString(16).padStart(16, '0')} ${type} ${name}`).join('\n') + '\n';

describe('summarizeSizeDelta', () => {
  it('keeps totals and counts, and lists the largest changes first', () => {
    const old = nm([['start_kernel', 400, 'T'], ['shrinks', 100, 'T'], ['gone', 50, 't']]);
    const now = nm([['start_kernel', 400, 'T'], ['shrinks', 90, 'T'], ['pfnlab_size_probe', 64, 'T'], ['big_table', 4096, 'D']]);
    const s = summarizeSizeDelta(KEY, compareSymbolSizes(old, now));
    expect(s.baseBuildKey).toBe(KEY);
    expect(s.total).toEqual({ old: 550, new: 4650, delta: 4100, percent: 745.45 });
    expect(s.counts).toEqual({ add: 2, remove: 1, grow: 0, shrink: 1 });
    expect(s.changes.map((c) => [c.name, c.delta])).toEqual([['big_table', 4096], ['pfnlab_size_probe', 64], ['gone', -50], ['shrinks', -10]]);
    expect(s.text).toMatch(/^add\/remove: 2\/1 grow\/shrink: 0\/1/);
    expect(s.text).toMatch(/Total: Before=550, After=4650, chg \+745\.45%\n$/);
  });

  it('cuts the change list at 200 and the text at 64 KiB', () => {
    const rows: Array<[string, number, string]> = Array.from({ length: 3000 }, (_, i) => [`fn_${i}_${'x'.repeat(30)}`, 10 + i, 'T']);
    const s = summarizeSizeDelta(KEY, compareSymbolSizes('', nm(rows)));
    expect(s.changes).toHaveLength(200);
    expect(s.changes[0].delta).toBe(3009);
    expect(s.text.length).toBeLessThanOrEqual(64 * 1024);
    expect(s.text).toMatch(/\(cut: 3000 changes\)\n$/);
  });
});
