import { evaluateKconfigExpr, type OffSymbol, type ValueSource } from './kconfig-expr';

/**
 * Kconfig's unmet-dependency warnings, as `make olddefconfig` prints them
 * when a `select` forces a symbol whose own dependencies are not met:
 *
 *   WARNING: unmet direct dependencies detected for FOO
 *     Depends on [n]: BAR [=n] && BAZ [=y]
 *     Selected by [y]:
 *     - QUX [=y] && ARCH_X [=y]
 *     Selected by [m]:
 *     - QUUX [=m]
 *
 * and the format before Linux 4.16:
 *
 *   warning: (QUX && ARCH_X) selects FOO which has unmet direct dependencies (BAR && BAZ)
 */

export interface Selector {
  /** The selecting symbol (the first one of the expression). */
  symbol: string;
  /** `y` or `m`: the level it selects at; null in the old format. */
  level: 'y' | 'm' | null;
  expr: string;
}

export interface UnmetDependency {
  symbol: string;
  /** The dependency expression, values included when Kconfig printed them. */
  dependsOn: string;
  /** What it evaluates to: `n`, or `m` (selected y but may be at most m). */
  dependsValue: 'n' | 'm';
  /** Symbols keeping the dependencies from being met (empty when no value is known). */
  off: OffSymbol[];
  selectedBy: Selector[];
  /** 1-based line of the WARNING. */
  logLine: number;
}

const MAX_WARNINGS = 1000;
const MAX_SELECTORS = 100;
const HEADER = /^WARNING: unmet direct dependencies detected for ([A-Za-z0-9_]{1,200})$/;
const DEPENDS = /^\s{0,8}Depends on \[([nm])\]: (.{0,8000})$/;
const SELECTED = /^\s{0,8}Selected by \[([ym])\]:$/;
const ITEM = /^\s{0,8}- (.{1,8000})$/;
const OLD = /^warning: \((.{1,8000})\) selects ([A-Za-z0-9_]{1,200}) which has unmet direct dependencies \((.{0,8000})\)$/;

/**
 * Finds every such warning in `text` (olddefconfig output, or a whole build
 * log). Values come from the warning's own `[=v]` annotations, else from
 * `config` (the final .config) when given; without either, `off` is empty.
 */
export function parseUnmetDependencies(text: string, config?: ValueSource): UnmetDependency[] {
  const lines = text.split(/\r?\n|\r/);
  const out: UnmetDependency[] = [];
  for (let i = 0; i < lines.length && out.length < MAX_WARNINGS; i++) {
    const line = clip(lines[i]).trim();
    const header = HEADER.exec(line);
    if (header) {
      const dep = DEPENDS.exec(clip(lines[i + 1] ?? ''));
      if (!dep) continue;
      const w: UnmetDependency = {
        symbol: header[1],
        dependsOn: dep[2].trim(),
        dependsValue: dep[1] as 'n' | 'm',
        off: [],
        selectedBy: [],
        logLine: i + 1,
      };
      let j = i + 2;
      let level: 'y' | 'm' | null = null;
      for (; j < lines.length; j++) {
        const l = clip(lines[j]);
        const sel = SELECTED.exec(l);
        if (sel) {
          level = sel[1] as 'y' | 'm';
          continue;
        }
        const item = level ? ITEM.exec(l) : null;
        if (!item) break;
        if (w.selectedBy.length < MAX_SELECTORS) w.selectedBy.push(selector(item[1].trim(), level));
      }
      w.off = offSymbols(w.dependsOn, w.dependsValue === 'm' ? 'y' : 'm', config);
      out.push(w);
      i = j - 1;
      continue;
    }
    const old = OLD.exec(line);
    if (old) {
      const selectedBy = splitTopLevelOr(old[1]).slice(0, MAX_SELECTORS).map((e) => selector(e, null));
      // Before 4.16 there were no values: only the .config can tell which dependency is off.
      const off = config ? offSymbols(old[3], 'm', config) : [];
      out.push({ symbol: old[2], dependsOn: old[3].trim(), dependsValue: 'n', off, selectedBy, logLine: i + 1 });
    }
  }
  return out;
}

function clip(s: string): string {
  return s.length > 16_384 ? s.slice(0, 16_384) : s;
}

function selector(expr: string, level: 'y' | 'm' | null): Selector {
  return { symbol: /^!?\(?\s*([A-Za-z0-9_]{1,200})/.exec(expr)?.[1] ?? '', level, expr };
}

/** Which symbols keep `expr` below `want`; values from its annotations, then `config`. */
function offSymbols(expr: string, want: 'y' | 'm', config: ValueSource | undefined): OffSymbol[] {
  const source: ValueSource = config ?? (() => undefined);
  const r = evaluateKconfigExpr(expr, source, want);
  return 'error' in r ? [] : r.off;
}

function splitTopLevelOr(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && c === '|' && expr[i + 1] === '|') {
      parts.push(expr.slice(start, i).trim());
      start = i + 2;
      i++;
    }
  }
  parts.push(expr.slice(start).trim());
  return parts.filter((p) => p !== '');
}
