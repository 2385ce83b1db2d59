/**
 * Symbol tables as bloat-o-meter reads them: the text of `nm --size-sort`
 * (`size type name`) or of `nm -S`/`nm --size-sort -S` (`address size type
 * name`; in a table that has such lines, three-field lines are symbols
 * without a size and are not counted).
 */

/** bloat-o-meter's default symbol types: text, data, bss, rodata, weak (`tTdDbBrRvVwW`). */
export const BLOAT_O_METER_TYPES = 'tTdDbBrRvVwW';

/** Above this a size is not a symbol's (1 TiB): the line is garbage. Keeps sums exact. */
export const MAX_SYMBOL_SIZE = 2 ** 40;

export interface SymbolTable {
  /** Size by bloat-o-meter name (`.NUMBER` suffixes removed), summed over same-named symbols. */
  sizes: Map<string, number>;
  /** nm type of each name (the first one seen). */
  types: Map<string, string>;
  /** Symbol lines counted. */
  counted: number;
  /** Well-formed lines not counted: other types, generated symbols, no size, `file.o:` headers. */
  ignored: number;
  /** Lines that are not nm output. */
  garbage: number;
}

// Generated symbols bloat-o-meter leaves out (they change with every build).
const GENERATED_PREFIXES = ['__mod_', '__se_sys', '__se_compat_sys', '__addressable_'];
const GENERATED_NAMES = new Set(['linux_banner', 'vermagic']);
const HEX = /^[0-9a-fA-F]{1,16}$/;
const TYPE = /^[A-Za-z?-]$/;
const MAX_LINE = 4096;

/**
 * bloat-o-meter's name for a symbol: every `.NUMBER` removed, so that
 * `foo.constprop.0` and `foo.constprop.1` (or `__func__.123` in two objects)
 * count as one `foo.constprop` (`__func__`), while `foo.constprop`,
 * `foo.lto_priv` and `foo` stay distinct.
 */
export function bloatName(name: string): string {
  return name.includes('.') ? name.replace(/\.[0-9]+/g, '') : name;
}

/** Is it one of the generated symbols bloat-o-meter skips? */
export function isGeneratedSymbol(name: string): boolean {
  return GENERATED_NAMES.has(name) || GENERATED_PREFIXES.some((p) => name.startsWith(p));
}

/** Parses nm output; never throws. `types`: the nm types to count (bloat-o-meter's `format`). */
export function parseNmSymbols(text: string, types: string = BLOAT_O_METER_TYPES): SymbolTable {
  const table: SymbolTable = { sizes: new Map(), types: new Map(), counted: 0, ignored: 0, garbage: 0 };
  const rows: string[][] = [];
  let withAddress = false;
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = (raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw).trim();
    if (line === '') continue;
    if (line.includes(':')) {
      // "vmlinux.o:" heads each file's symbols when nm is given several
      if (/^\S+:$/.test(line)) table.ignored++;
      else table.garbage++;
      continue;
    }
    const f = line.split(/\s+/);
    if (f.length === 4 && HEX.test(f[0]) && HEX.test(f[1]) && TYPE.test(f[2])) withAddress = true;
    rows.push(f);
  }
  for (const f of rows) {
    let size: string;
    let type: string;
    let name: string;
    if (f.length === 4) [, size, type, name] = f;
    else if (f.length === 3) [size, type, name] = f;
    else {
      table.garbage++;
      continue;
    }
    if (!HEX.test(size) || !TYPE.test(type)) {
      table.garbage++;
      continue;
    }
    // "address type name" among "address size type name": a symbol without a size
    if (f.length === 3 && withAddress) {
      table.ignored++;
      continue;
    }
    const bytes = parseInt(size, 16);
    if (bytes > MAX_SYMBOL_SIZE) {
      table.garbage++;
      continue;
    }
    if (!types.includes(type) || isGeneratedSymbol(name)) {
      table.ignored++;
      continue;
    }
    const key = bloatName(name);
    table.sizes.set(key, (table.sizes.get(key) ?? 0) + bytes);
    if (!table.types.has(key)) table.types.set(key, type);
    table.counted++;
  }
  return table;
}
