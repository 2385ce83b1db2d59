import { BLOAT_O_METER_TYPES, parseNmSymbols, type SymbolTable } from './nm-symbols';

/**
 * Kernel size deltas computed and printed like the kernel's
 * scripts/bloat-o-meter: symbols are merged by name (see bloatName), each
 * name is added, removed, grown, shrunk or unchanged, and the totals are the
 * sums over the counted symbols.
 */

export interface SymbolDelta {
  name: string;
  /** nm type (the new table's when the symbol is in both). */
  type: string;
  /** null: not in that table. */
  old: number | null;
  new: number | null;
  delta: number;
}

export interface SizeDelta {
  added: SymbolDelta[];
  removed: SymbolDelta[];
  grown: SymbolDelta[];
  shrunk: SymbolDelta[];
  /** Every symbol whose size changed, in bloat-o-meter's order: delta descending, then name descending. */
  changes: SymbolDelta[];
  counts: { add: number; remove: number; grow: number; shrink: number };
  /** Bytes added by added and grown symbols; bytes removed by removed and shrunk ones (positive). */
  up: number;
  down: number;
  total: { old: number; new: number; delta: number; percent: number };
  /** What was not counted, per input. */
  skipped: { old: { ignored: number; garbage: number }; new: { ignored: number; garbage: number } };
}

/** bloat-o-meter's modes: none (all types), -t (text), -d (data), and -c's three sections. */
export const BLOAT_O_METER_MODES = {
  all: [{ label: 'Function', types: BLOAT_O_METER_TYPES }],
  text: [{ label: 'Function', types: 'tTwW' }],
  data: [{ label: 'Data', types: 'dDbBrR' }],
  categorized: [
    { label: 'Function', types: 'tT' },
    { label: 'Data', types: 'dDbB' },
    { label: 'RO Data', types: 'rR' },
  ],
} as const;
export type BloatOMeterMode = keyof typeof BLOAT_O_METER_MODES;

/** Compares two `nm --size-sort` (or `nm -S`) outputs; `types` as in parseNmSymbols. Never throws. */
export function compareSymbolSizes(oldNm: string, newNm: string, types: string = BLOAT_O_METER_TYPES): SizeDelta {
  return compareTables(parseNmSymbols(oldNm, types), parseNmSymbols(newNm, types));
}

/** The same on parsed tables. */
export function compareTables(old: SymbolTable, now: SymbolTable): SizeDelta {
  const d: SizeDelta = {
    added: [],
    removed: [],
    grown: [],
    shrunk: [],
    changes: [],
    counts: { add: 0, remove: 0, grow: 0, shrink: 0 },
    up: 0,
    down: 0,
    total: { old: 0, new: 0, delta: 0, percent: 0 },
    skipped: { old: { ignored: old.ignored, garbage: old.garbage }, new: { ignored: now.ignored, garbage: now.garbage } },
  };
  const all: SymbolDelta[] = [];
  for (const [name, size] of old.sizes) {
    d.total.old += size;
    const after = now.sizes.get(name);
    if (after === undefined) {
      const s = { name, type: old.types.get(name)!, old: size, new: null, delta: -size };
      d.removed.push(s);
      d.counts.remove++;
      d.down += size;
      all.push(s);
      continue;
    }
    const s = { name, type: now.types.get(name)!, old: size, new: after, delta: after - size };
    if (s.delta > 0) {
      d.grown.push(s);
      d.counts.grow++;
      d.up += s.delta;
    } else if (s.delta < 0) {
      d.shrunk.push(s);
      d.counts.shrink++;
      d.down -= s.delta;
    }
    all.push(s);
  }
  for (const [name, size] of now.sizes) {
    d.total.new += size;
    if (old.sizes.has(name)) continue;
    const s = { name, type: now.types.get(name)!, old: null, new: size, delta: size };
    d.added.push(s);
    d.counts.add++;
    d.up += size;
    all.push(s);
  }
  for (const list of [d.added, d.removed, d.grown, d.shrunk, all]) list.sort(byDeltaThenName);
  d.changes = all.filter((s) => s.delta !== 0);
  d.total.delta = d.total.new - d.total.old;
  d.total.percent = d.total.old ? ((d.total.new - d.total.old) * 100.0) / d.total.old : 0;
  return d;
}

/** Python's `sorted(...reverse=True)` on (delta, name) tuples. */
function byDeltaThenName(a: SymbolDelta, b: SymbolDelta): number {
  if (a.delta !== b.delta) return b.delta - a.delta;
  return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}

/**
 * bloat-o-meter's text, byte for byte (one section; `label` is the first
 * column's heading):
 *
 *   add/remove: 2/0 grow/shrink: 1/1 up/down: 200/-36 (164)
 *   Function                                     old     new   delta
 *   new_fn                                         -     128    +128
 *   ...
 *   Total: Before=1000, After=1164, chg +16.40%
 */
export function formatBloatOMeter(d: SizeDelta, label = 'Function'): string {
  const c = d.counts;
  const lines = [
    `add/remove: ${c.add}/${c.remove} grow/shrink: ${c.grow}/${c.shrink} up/down: ${d.up}/${d.down === 0 ? 0 : -d.down} (${d.up - d.down})`,
    `${label.padEnd(40)} ${'old'.padStart(7)} ${'new'.padStart(7)} ${'delta'.padStart(7)}`,
  ];
  for (const s of d.changes) {
    const delta = s.delta > 0 ? `+${s.delta}` : String(s.delta);
    lines.push(`${s.name.padEnd(40)} ${String(s.old ?? '-').padStart(7)} ${String(s.new ?? '-').padStart(7)} ${delta.padStart(7)}`);
  }
  lines.push(`Total: Before=${d.total.old}, After=${d.total.new}, chg ${formatPercent(d.total.percent)}%`);
  return lines.join('\n') + '\n';
}

/** The whole output of `bloat-o-meter [-c|-d|-t] old new` for a mode. */
export function bloatOMeter(oldNm: string, newNm: string, mode: BloatOMeterMode = 'all'): string {
  return BLOAT_O_METER_MODES[mode].map((s) => formatBloatOMeter(compareSymbolSizes(oldNm, newNm, s.types), s.label)).join('');
}

/**
 * Python's "%+.2f": JavaScript's toFixed rounds exact ties up, Python to
 * even. Exact ties at two decimals are the multiples of 1/8 that are not
 * multiples of 1/4 (x.125, x.375, x.625, x.875).
 */
export function formatPercent(x: number): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '+';
  const a = Math.abs(x);
  if (Number.isInteger(a * 8) && !Number.isInteger(a * 4)) {
    let n = Math.floor(a * 100);
    if (n % 2 === 1) n++;
    return `${sign}${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
  }
  return sign + a.toFixed(2);
}
