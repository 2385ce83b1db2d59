import fc from 'fast-check';
import {
  bloatName,
  bloatOMeter,
  compareSymbolSizes,
  formatBloatOMeter,
  formatPercent,
  parseNmSymbols,
  type SizeDelta,
} from '@pfnlab/builds';
import { fixture } from './support';

/**
 * Expected texts below are scripts/bloat-o-meter's output for the same
 * tables (checked against a Python transcription of its getsizes/calc/
 * print_result when this was written).
 */

const nm = (rows: Array<[number, string, string]>) => rows.map(([size, type, name]) => `${size.toString(16).padStart(16, '0')} ${type} ${name}`).join('\n') + '\n';

const OLD = nm([
  [100, 'T', 'foo'],
  [64, 't', 'bar'],
  [1000, 'D', 'qux'],
]);
const NEW = nm([
  [128, 'T', 'new_a'],
  [32, 'r', 'new_b'],
  [140, 'T', 'foo'],
  [28, 't', 'bar'],
  [1000, 'D', 'qux'],
]);

// static and compiler-made symbols, types bloat-o-meter counts or not, generated symbols
const OLD2 = nm([
  [0x10, 't', 'helper.constprop.0'],
  [0x8, 't', 'helper.constprop.1'],
  [0x20, 't', 'helper'],
  [0x4, 'd', '__func__.12'],
  [0x4, 'd', '__func__.77'],
  [0x30, 't', 'x.lto_priv.0'],
  [0x100, 'b', 'big_bss'],
  [0x10, 'r', 'ro'],
  [0x1, 'A', '__crc_foo'],
  [0x8, 'r', '__kstrtab_foo'],
  [0x40, 'W', 'weak_fn'],
  [0x40, 'V', 'weak_obj'],
  [0x10, 'T', '__se_sys_foo'],
  [0x5, 'D', 'linux_banner'],
]);
const NEW2 = nm([
  [0x30, 't', 'helper.constprop.0'],
  [0x20, 't', 'helper'],
  [0x4, 'd', '__func__.12'],
  [0x30, 't', 'x.lto_priv.0'],
  [0x10, 't', 'x.lto_priv.1'],
  [0x200, 'b', 'big_bss'],
  [0x18, 'r', 'ro'],
  [0x2, 'A', '__crc_foo'],
  [0x8, 'r', '__kstrtab_foo'],
  [0x44, 'W', 'weak_fn'],
  [0x10, 'T', '__se_sys_foo'],
  [0x6, 'D', 'linux_banner'],
]);

describe('compareSymbolSizes', () => {
  it('added, removed, grown, shrunk, totals', () => {
    expect(compareSymbolSizes(OLD, NEW)).toEqual<SizeDelta>({
      added: [
        { name: 'new_a', type: 'T', old: null, new: 128, delta: 128 },
        { name: 'new_b', type: 'r', old: null, new: 32, delta: 32 },
      ],
      removed: [],
      grown: [{ name: 'foo', type: 'T', old: 100, new: 140, delta: 40 }],
      shrunk: [{ name: 'bar', type: 't', old: 64, new: 28, delta: -36 }],
      changes: [
        { name: 'new_a', type: 'T', old: null, new: 128, delta: 128 },
        { name: 'foo', type: 'T', old: 100, new: 140, delta: 40 },
        { name: 'new_b', type: 'r', old: null, new: 32, delta: 32 },
        { name: 'bar', type: 't', old: 64, new: 28, delta: -36 },
      ],
      counts: { add: 2, remove: 0, grow: 1, shrink: 1 },
      up: 200,
      down: 36,
      total: { old: 1164, new: 1328, delta: 164, percent: (164 * 100) / 1164 },
      skipped: { old: { ignored: 0, garbage: 0 }, new: { ignored: 0, garbage: 0 } },
    });
  });

  it('prints exactly like bloat-o-meter', () => {
    expect(formatBloatOMeter(compareSymbolSizes(OLD, NEW))).toBe(
      [
        'add/remove: 2/0 grow/shrink: 1/1 up/down: 200/-36 (164)',
        'Function                                     old     new   delta',
        'new_a                                          -     128    +128',
        'foo                                          100     140     +40',
        'new_b                                          -      32     +32',
        'bar                                           64      28     -36',
        'Total: Before=1164, After=1328, chg +14.09%',
        '',
      ].join('\n'),
    );
  });

  it('merges .NUMBER suffixes, keeps .constprop/.lto_priv names apart from the plain one, skips generated symbols and other types', () => {
    expect(bloatOMeter(OLD2, NEW2)).toBe(
      [
        'add/remove: 0/1 grow/shrink: 5/1 up/down: 308/-68 (240)',
        'Function                                     old     new   delta',
        'big_bss                                      256     512    +256',
        'helper.constprop                              24      48     +24',
        'x.lto_priv                                    48      64     +16',
        'ro                                            16      24      +8',
        'weak_fn                                       64      68      +4',
        '__func__                                       8       4      -4',
        'weak_obj                                      64       -     -64',
        'Total: Before=520, After=760, chg +46.15%',
        '',
      ].join('\n'),
    );
    const t = parseNmSymbols(OLD2);
    expect([...t.sizes]).toEqual([
      ['helper.constprop', 24],
      ['helper', 32],
      ['__func__', 8],
      ['x.lto_priv', 48],
      ['big_bss', 256],
      ['ro', 16],
      ['__kstrtab_foo', 8],
      ['weak_fn', 64],
      ['weak_obj', 64],
    ]);
    expect({ counted: t.counted, ignored: t.ignored, garbage: t.garbage }).toEqual({ counted: 11, ignored: 3, garbage: 0 });
  });

  it('-c: Function (tT), Data (dDbB), RO Data (rR)', () => {
    expect(bloatOMeter(OLD2, NEW2, 'categorized')).toBe(
      [
        'add/remove: 0/0 grow/shrink: 2/0 up/down: 40/0 (40)',
        'Function                                     old     new   delta',
        'helper.constprop                              24      48     +24',
        'x.lto_priv                                    48      64     +16',
        'Total: Before=104, After=144, chg +38.46%',
        'add/remove: 0/0 grow/shrink: 1/1 up/down: 256/-4 (252)',
        'Data                                         old     new   delta',
        'big_bss                                      256     512    +256',
        '__func__                                       8       4      -4',
        'Total: Before=264, After=516, chg +95.45%',
        'add/remove: 0/0 grow/shrink: 1/0 up/down: 8/0 (8)',
        'RO Data                                      old     new   delta',
        'ro                                            16      24      +8',
        'Total: Before=24, After=32, chg +33.33%',
        '',
      ].join('\n'),
    );
    expect(bloatOMeter(OLD2, NEW2, 'text').split('\n')[0]).toBe('add/remove: 0/0 grow/shrink: 3/0 up/down: 44/0 (44)');
    expect(bloatOMeter(OLD2, NEW2, 'data').split('\n')[0]).toBe('add/remove: 0/0 grow/shrink: 2/1 up/down: 264/-4 (260)');
  });

  it('reproduces the x86 section of the lkml bloat-o-meter sample (the mail collapsed its blanks)', () => {
    const sample = fixture('non-console/multiarch-bloat-o-meter-pxd-addr-end-1.log').split('\n').slice(1, 6).join('\n');
    const rest = 15534694 - 587 - 556;
    const out = bloatOMeter(
      nm([[587, 't', 'vmemmap_populate'], [556, 'T', 'munlock_vma_pages_range'], [rest, 'T', 'everything_else']]),
      nm([[592, 't', 'vmemmap_populate'], [561, 'T', 'munlock_vma_pages_range'], [rest, 'T', 'everything_else']]),
    );
    const squash = (s: string) => s.trim().replace(/ +/g, ' ');
    expect(squash(out)).toBe(squash(sample));
  });

  it('nm -S (address size type name); symbols without a size among them are not counted', () => {
    const old = 'ffffffff81000000 0000000000000010 T _stext\nffffffff81000010 T no_size\nffffffff81000020 0000000000000020 t helper\n';
    const now = 'ffffffff81000000 0000000000000010 T _stext\nffffffff81000010 T no_size\nffffffff81000020 0000000000000028 t helper\n';
    const d = compareSymbolSizes(old, now);
    expect(d.changes).toEqual([{ name: 'helper', type: 't', old: 32, new: 40, delta: 8 }]);
    expect(d.total).toEqual({ old: 48, new: 56, delta: 8, percent: (8 * 100) / 48 });
    expect(d.skipped.old).toEqual({ ignored: 1, garbage: 0 });
  });

  it('empty tables', () => {
    expect(bloatOMeter('', '')).toBe(
      'add/remove: 0/0 grow/shrink: 0/0 up/down: 0/0 (0)\nFunction                                     old     new   delta\nTotal: Before=0, After=0, chg +0.00%\n',
    );
    expect(bloatOMeter('', nm([[16, 'T', 'f']])).split('\n')[3]).toBe('Total: Before=0, After=16, chg +0.00%');
  });
});

describe('hostile nm output', () => {
  it('skips and counts garbage lines, never throws', () => {
    const text = [
      'vmlinux.o:', // nm's per-file header: not garbage
      '0000000000000010 T good',
      'nm: vmlinux: no symbols',
      'zzzz T bad_size',
      '0000000000000010 TT bad_type',
      '0000000000000010 T',
      'a b c d e',
      'ffffffffffffffff T huge',
      '10 T tab\tname',
      '',
      '   ',
      'x'.repeat(100_000),
      '0000000000000020 t good',
    ].join('\n');
    const t = parseNmSymbols(text);
    expect([...t.sizes]).toEqual([['good', 48]]);
    expect({ counted: t.counted, ignored: t.ignored, garbage: t.garbage }).toEqual({ counted: 2, ignored: 1, garbage: 8 });
  });

  const symbol = fc.record({
    size: fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.integer({ min: 0, max: 2 ** 32 })),
    type: fc.constantFrom(...'tTdDbBrRvVwWAaUuNn?'),
    name: fc.oneof(
      fc.constantFrom('f', 'g', 'f.constprop.0', 'f.constprop.1', '__func__.3', 'x.lto_priv.0', '__mod_y', 'vermagic'),
      fc.stringMatching(/^[A-Za-z_.][\w.]{0,30}$/),
    ),
  });
  const table = fc.array(symbol, { maxLength: 60 }).map((rows) => nm(rows.map((r) => [r.size, r.type, r.name])));
  const noisy = fc.tuple(table, fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 })).map(([t, junk]) => t + junk.join('\n'));

  it('property: the deltas add up to the total, and up - down too', () => {
    fc.assert(
      fc.property(noisy, noisy, (a, b) => {
        const d = compareSymbolSizes(a, b);
        const sum = [...d.added, ...d.removed, ...d.grown, ...d.shrunk].reduce((s, x) => s + x.delta, 0);
        expect(sum).toBe(d.total.delta);
        expect(d.changes.reduce((s, x) => s + x.delta, 0)).toBe(d.total.delta);
        expect(d.up - d.down).toBe(d.total.delta);
        expect(d.total.new - d.total.old).toBe(d.total.delta);
        expect([d.added.length, d.removed.length, d.grown.length, d.shrunk.length]).toEqual([d.counts.add, d.counts.remove, d.counts.grow, d.counts.shrink]);
        for (let i = 1; i < d.changes.length; i++) {
          const [p, c] = [d.changes[i - 1], d.changes[i]];
          if (p.delta < c.delta || (p.delta === c.delta && p.name < c.name)) throw new Error('not in bloat-o-meter order');
        }
        const out = formatBloatOMeter(d);
        expect(out.split('\n')).toHaveLength(d.changes.length + 4);
        expect(out.startsWith(`add/remove: ${d.counts.add}/${d.counts.remove} `)).toBe(true);
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it('property: comparing a table with itself changes nothing', () => {
    fc.assert(
      fc.property(noisy, (a) => {
        const d = compareSymbolSizes(a, a);
        expect([d.changes, d.counts, d.total.delta]).toEqual([[], { add: 0, remove: 0, grow: 0, shrink: 0 }, 0]);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('details', () => {
  it('bloatName drops every .NUMBER', () => {
    expect(['foo.constprop.0', 'foo.lto_priv.0', 'foo.isra.12.cold', '__func__.1234', 'foo', 'a.5b', '.remove_pagetable'].map(bloatName)).toEqual([
      'foo.constprop',
      'foo.lto_priv',
      'foo.isra.cold',
      '__func__',
      'foo',
      'ab',
      '.remove_pagetable',
    ]);
  });

  it('formatPercent is Python\'s %+.2f, ties to even', () => {
    expect([0, 0.125, 0.375, 0.625, 0.875, -0.125, 2.675, 1e-9, -1e-9, 99.995, 16.4, -0, 123456.125].map(formatPercent)).toEqual([
      '+0.00', '+0.12', '+0.38', '+0.62', '+0.88', '-0.12', '+2.67', '+0.00', '-0.00', '+100.00', '+16.40', '-0.00', '+123456.12',
    ]);
  });
});
