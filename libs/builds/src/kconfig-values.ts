/**
 * Kconfig option lines as in a .config or a config fragment:
 * `CONFIG_X=y|m|n|123|0x1f|"string"` and `# CONFIG_X is not set`.
 */

/** The value an option has in a .config: as written after '=', or null for "is not set". */
export type KconfigValue = string | null;

/** Options by name without the CONFIG_ prefix. */
export type KconfigValues = ReadonlyMap<string, KconfigValue>;

export interface ParsedKconfig {
  /** By name without CONFIG_; a later line for the same option wins (merge_config.sh semantics). */
  values: Map<string, KconfigValue>;
  /** Lines that are neither an option nor a comment nor blank (capped at 100). */
  invalid: string[];
}

const MAX_LINE = 4096;
const SET = /^CONFIG_([A-Za-z0-9_]{1,200})=(.{0,4000})$/;
const NOT_SET = /^# CONFIG_([A-Za-z0-9_]{1,200}) is not set$/;

/** Parses .config or fragment text (or its lines). Never throws; unknown lines are listed, comments skipped. */
export function parseKconfig(text: string | readonly string[]): ParsedKconfig {
  const lines = typeof text === 'string' ? text.split(/\r?\n|\r/) : text;
  const values = new Map<string, KconfigValue>();
  const invalid: string[] = [];
  for (const raw of lines) {
    if (typeof raw !== 'string') continue;
    const line = (raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw).trim();
    if (line === '') continue;
    const set = SET.exec(line);
    if (set) {
      values.delete(set[1]); // re-insert: the order is that of the last assignment
      values.set(set[1], set[2].trim());
      continue;
    }
    const notSet = NOT_SET.exec(line);
    if (notSet) {
      values.delete(notSet[1]);
      values.set(notSet[1], null);
      continue;
    }
    if (!line.startsWith('#') && invalid.length < 100) invalid.push(line);
  }
  return { values, invalid };
}

/** `CONFIG_FOO`, `FOO` → `FOO`. */
export function optionName(s: string): string {
  const t = s.trim();
  return t.startsWith('CONFIG_') ? t.slice(7) : t;
}

/** Undoes Kconfig's string quoting: `"a\"b"` → `a"b`; null if `s` is not a quoted string. */
export function unquoteKconfigString(s: string): string | null {
  if (s.length < 2 || !s.startsWith('"') || !s.endsWith('"')) return null;
  return s.slice(1, -1).replace(/\\(.)/g, '$1');
}

const DEC = /^-?[0-9]{1,30}$/;
const HEX = /^0[xX][0-9a-fA-F]{1,30}$/;

/** The value of an integer or hex option, or null. */
export function kconfigNumber(s: string): bigint | null {
  if (DEC.test(s)) return BigInt(s);
  if (HEX.test(s)) return BigInt(s);
  return null;
}

/** Is the option off (not set, absent, or =n)? */
export function isOff(value: KconfigValue | undefined): boolean {
  return value === undefined || value === null || value === 'n';
}

/**
 * Does `actual` give what `requested` asked for? n / not set is met by
 * absence; numbers compare by value (0x10 = 16 only within the same base,
 * as Kconfig keeps what was written: 0x10 and 0X10 match); strings by
 * content after unquoting.
 */
export function sameKconfigValue(requested: KconfigValue, actual: KconfigValue | undefined): boolean {
  if (isOff(requested)) return isOff(actual);
  if (isOff(actual)) return false;
  const r = requested!;
  const a = actual!;
  if (r === a) return true;
  const rs = unquoteKconfigString(r);
  const as = unquoteKconfigString(a);
  if (rs !== null && as !== null) return rs === as;
  if (HEX.test(r) !== HEX.test(a)) return false;
  const rn = kconfigNumber(r);
  const an = kconfigNumber(a);
  return rn !== null && an !== null && rn === an;
}

/** How a value reads in a message: `y`, `64`, `"str"`, `not set`, `absent`. */
export function describeValue(value: KconfigValue | undefined): string {
  if (value === undefined) return 'absent';
  if (value === null) return 'not set';
  return value;
}

/** The tristate level of an option for dependency evaluation: y 2, m 1, anything else 0 (absent is n). */
export function tristateOf(value: KconfigValue | undefined): 0 | 1 | 2 {
  return value === 'y' ? 2 : value === 'm' ? 1 : 0;
}
