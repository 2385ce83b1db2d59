import { tristateOf, type KconfigValue, type KconfigValues } from './kconfig-values';

/**
 * Kconfig dependency expressions (`depends on A && (B || !C)`, `X = "s"`,
 * `NR_CPUS > 64`) with Kconfig's tri-state semantics: y = 2, m = 1, n = 0;
 * `&&` is min, `||` max, `!x` is 2 - x; a comparison is y or n. Symbols
 * absent from the .config are n. The text may carry the values Kconfig
 * prints in its warnings (`A [=n] && B [=y]`): they are read too.
 */

export type Tristate = 'n' | 'm' | 'y';
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type KconfigExpr =
  | { t: 'sym'; name: string; constant: boolean }
  | { t: 'not'; e: KconfigExpr }
  | { t: 'and' | 'or'; l: KconfigExpr; r: KconfigExpr }
  | { t: 'cmp'; op: CompareOp; l: SymNode; r: SymNode };
type SymNode = Extract<KconfigExpr, { t: 'sym' }>;

export interface ParsedExpr {
  expr: KconfigExpr;
  /** Values written in the text as `SYM [=v]`. */
  annotations: Map<string, string>;
}

/** A symbol that keeps the expression from the wanted value, with its value (`n`, `m`, `y`, or the string/number). */
export interface OffSymbol {
  name: string;
  value: string;
}

export interface ExprEvaluation {
  value: Tristate;
  /** The expression as Kconfig prints it, with values: `A [=n] && B [=y]`. */
  text: string;
  /** Symbols that keep it below the wanted value (none when it reaches it). */
  off: OffSymbol[];
}

export const MAX_EXPR_CHARS = 8192;
const MAX_DEPTH = 100;
const TRI: readonly Tristate[] = ['n', 'm', 'y'];
const TOKEN = /(?:(&&|\|\||!=|<=|>=|[()!=<>])|(-?[A-Za-z0-9_]{1,200})|"((?:[^"\\]|\\.){0,1000})"|'((?:[^'\\]|\\.){0,1000})'|\[=([^\]]{0,1000})\])/y;

type Token = { op: string } | { sym: string; constant: boolean; annotation?: string };

function tokenize(text: string): Token[] | string {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
    if (pos >= text.length) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) return `unexpected '${text.slice(pos).trimStart().slice(0, 20)}'`;
    pos = TOKEN.lastIndex;
    if (m[1] !== undefined) out.push({ op: m[1] });
    else if (m[2] !== undefined) out.push({ sym: m[2], constant: /^(?:[ymn]|-?[0-9]+|0[xX][0-9a-fA-F]+)$/.test(m[2]) });
    else if (m[3] !== undefined || m[4] !== undefined) out.push({ sym: (m[3] ?? m[4]).replace(/\\(.)/g, '$1'), constant: true });
    else {
      const prev = out[out.length - 1];
      if (!prev || !('sym' in prev)) return "a value '[=...]' without a symbol";
      prev.annotation = m[5];
    }
  }
  return out;
}

/** Parses an expression; an error message instead of throwing. */
export function parseKconfigExpr(text: string): ParsedExpr | { error: string } {
  if (text.length > MAX_EXPR_CHARS) return { error: `longer than ${MAX_EXPR_CHARS} characters` };
  const tokens = tokenize(text);
  if (typeof tokens === 'string') return { error: tokens };
  if (tokens.length === 0) return { error: 'empty expression' };
  const annotations = new Map<string, string>();
  let i = 0;
  const fail = (what: string): never => {
    throw new ExprError(i < tokens.length ? `${what} at '${describe(tokens[i])}'` : `${what} at the end`);
  };
  const isOp = (op: string) => i < tokens.length && 'op' in tokens[i] && (tokens[i] as { op: string }).op === op;
  const symbol = (): SymNode => {
    const tok = tokens[i];
    if (!tok || !('sym' in tok)) return fail('expected a symbol');
    i++;
    if (tok.annotation !== undefined && !tok.constant) annotations.set(tok.sym, tok.annotation);
    return { t: 'sym', name: tok.sym, constant: tok.constant };
  };
  const unary = (depth: number): KconfigExpr => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    if (isOp('!')) {
      i++;
      return { t: 'not', e: unary(depth + 1) };
    }
    if (isOp('(')) {
      i++;
      const e = or(depth + 1);
      if (!isOp(')')) fail("expected ')'");
      i++;
      return e;
    }
    const l = symbol();
    for (const op of ['=', '!=', '<', '<=', '>', '>='] as const) {
      if (isOp(op)) {
        i++;
        return { t: 'cmp', op, l, r: symbol() };
      }
    }
    return l;
  };
  const and = (depth: number): KconfigExpr => {
    let e = unary(depth);
    while (isOp('&&')) {
      i++;
      e = { t: 'and', l: e, r: unary(depth) };
    }
    return e;
  };
  const or = (depth: number): KconfigExpr => {
    let e = and(depth);
    while (isOp('||')) {
      i++;
      e = { t: 'or', l: e, r: and(depth) };
    }
    return e;
  };
  try {
    const expr = or(0);
    if (i < tokens.length) fail('unexpected token');
    return { expr, annotations };
  } catch (e) {
    if (e instanceof ExprError) return { error: e.message };
    throw e;
  }
}

class ExprError extends Error {}

function describe(t: Token): string {
  return 'op' in t ? t.op : t.sym;
}

/** Where values come from: a .config's, or a function (e.g. warning annotations first). */
export type ValueSource = KconfigValues | ((name: string) => KconfigValue | undefined);

function lookup(source: ValueSource): (name: string) => KconfigValue | undefined {
  return typeof source === 'function' ? source : (name) => source.get(name);
}

/** Evaluates `text` against `values`; `want` is the level it must reach for `off` to be empty (default y). */
export function evaluateKconfigExpr(text: string, values: ValueSource, want: Tristate = 'y'): ExprEvaluation | { error: string } {
  const parsed = parseKconfigExpr(text);
  if ('error' in parsed) return parsed;
  const get = lookup(values);
  const source = (name: string) => parsed.annotations.get(name) ?? get(name);
  return evaluateParsed(parsed.expr, source, want);
}

/** The same on a parsed expression. */
export function evaluateParsed(expr: KconfigExpr, get: (name: string) => KconfigValue | undefined, want: Tristate = 'y'): ExprEvaluation {
  const ev = new Evaluator(get);
  const value = ev.tri(expr);
  const off: OffSymbol[] = [];
  const target = TRI.indexOf(want);
  if (value < target) ev.blameLow(expr, target, off);
  const seen = new Set<string>();
  return { value: TRI[value], text: ev.print(expr, 0), off: off.filter((o) => !seen.has(o.name) && seen.add(o.name)) };
}

const PREC = { or: 1, and: 2, cmp: 3, not: 4, sym: 5 } as const;

class Evaluator {
  constructor(private readonly get: (name: string) => KconfigValue | undefined) {}

  /** The string value of a symbol: a constant's text, an option's value ("n" when off). */
  str(s: SymNode): string {
    if (s.constant) return s.name;
    const v = this.get(s.name);
    if (v === undefined || v === null) return 'n';
    return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
  }

  /** Each node's value, computed once (blame asks for children's values again). */
  private readonly memo = new Map<KconfigExpr, number>();

  tri(e: KconfigExpr): number {
    let v = this.memo.get(e);
    if (v === undefined) {
      v = this.compute(e);
      this.memo.set(e, v);
    }
    return v;
  }

  private compute(e: KconfigExpr): number {
    switch (e.t) {
      case 'sym':
        return e.constant ? Math.max(0, TRI.indexOf(e.name as Tristate)) : tristateOf(this.get(e.name));
      case 'not':
        return 2 - this.tri(e.e);
      case 'and':
        return Math.min(this.tri(e.l), this.tri(e.r));
      case 'or':
        return Math.max(this.tri(e.l), this.tri(e.r));
      case 'cmp':
        return compare(this.str(e.l), this.str(e.r), e.op) ? 2 : 0;
    }
  }

  /** e is below `want`: which symbols hold it down. */
  blameLow(e: KconfigExpr, want: number, out: OffSymbol[]): void {
    switch (e.t) {
      case 'sym':
        if (!e.constant) out.push({ name: e.name, value: this.str(e) });
        return;
      case 'not':
        return this.blameHigh(e.e, 2 - want, out);
      case 'and':
      case 'or':
        for (const c of [e.l, e.r]) if (this.tri(c) < want) this.blameLow(c, want, out);
        return;
      case 'cmp':
        return this.blameOperands(e, out);
    }
  }

  /** e is above `limit` (under a '!'): which symbols hold it up. */
  blameHigh(e: KconfigExpr, limit: number, out: OffSymbol[]): void {
    switch (e.t) {
      case 'sym':
        if (!e.constant) out.push({ name: e.name, value: this.str(e) });
        return;
      case 'not':
        return this.blameLow(e.e, 2 - limit, out);
      case 'and':
      case 'or':
        for (const c of [e.l, e.r]) if (this.tri(c) > limit) this.blameHigh(c, limit, out);
        return;
      case 'cmp':
        return this.blameOperands(e, out);
    }
  }

  private blameOperands(e: Extract<KconfigExpr, { t: 'cmp' }>, out: OffSymbol[]): void {
    for (const s of [e.l, e.r]) if (!s.constant) out.push({ name: s.name, value: this.str(s) });
  }

  /** Kconfig's way: `SYM [=v]`, constants bare, parentheses only where precedence needs them. */
  print(e: KconfigExpr, parent: number): string {
    const prec = PREC[e.t];
    let s: string;
    switch (e.t) {
      case 'sym':
        return this.printSym(e);
      case 'not':
        s = `!${this.print(e.e, PREC.not)}`;
        break;
      case 'and':
      case 'or':
        s = `${this.print(e.l, prec)} ${e.t === 'and' ? '&&' : '||'} ${this.print(e.r, prec)}`;
        break;
      case 'cmp':
        s = `${this.printSym(e.l)} ${e.op} ${this.printSym(e.r)}`;
        break;
    }
    return prec < parent ? `(${s})` : s;
  }

  private printSym(s: SymNode): string {
    if (s.constant) return /^(?:[ymn]|-?[0-9]+|0[xX][0-9a-fA-F]+)$/.test(s.name) ? s.name : `"${s.name.replace(/["\\]/g, '\\$&')}"`;
    return `${s.name} [=${this.str(s)}]`;
  }
}

function compare(a: string, b: string, op: CompareOp): boolean {
  let c: number;
  const ta = TRI.indexOf(a as Tristate);
  const tb = TRI.indexOf(b as Tristate);
  const na = /^-?[0-9]{1,30}$|^0[xX][0-9a-fA-F]{1,30}$/.test(a) ? BigInt(a) : null;
  const nb = /^-?[0-9]{1,30}$|^0[xX][0-9a-fA-F]{1,30}$/.test(b) ? BigInt(b) : null;
  if (ta >= 0 && tb >= 0) c = ta - tb;
  else if (na !== null && nb !== null) c = na < nb ? -1 : na > nb ? 1 : 0;
  else c = a < b ? -1 : a > b ? 1 : 0;
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}
