import { evaluateKconfigExpr } from './kconfig-expr';
import {
  describeValue,
  isOff,
  optionName,
  parseKconfig,
  sameKconfigValue,
  type KconfigValue,
  type KconfigValues,
} from './kconfig-values';

/** A requested option that the final .config does not have as asked. */
export interface KconfigMismatch {
  /** `CONFIG_ZONE_DEVICE`. */
  option: string;
  /** As requested: `y`, `m`, `64`, `"str"`, `not set`. */
  requested: string;
  /** In the final .config: its value, `not set`, or `absent` (not in the file at all: its dependencies are not met). */
  actual: string;
}

/**
 * Compares the requested option lines (config fragments, the job's
 * `fragments`) with the .config that `make olddefconfig` wrote, the way
 * merge_config.sh does: lists each option whose final value is not the
 * requested one, in the order of the request (a later request of the same
 * option overrides an earlier one). `=n`, `is not set` and absence are the
 * same thing. Lines that are not options are ignored.
 */
export function checkKconfig(requested: string | readonly string[], finalConfig: string | KconfigValues): KconfigMismatch[] {
  const want = parseKconfig(requested).values;
  const have = typeof finalConfig === 'string' ? parseKconfig(finalConfig).values : finalConfig;
  const out: KconfigMismatch[] = [];
  for (const [name, value] of want) {
    const actual = have.get(name);
    if (!sameKconfigValue(value, actual)) out.push({ option: `CONFIG_${name}`, requested: describeValue(value), actual: describeValue(actual) });
  }
  return out;
}

/**
 * Says why a requested option did not make it into the .config, from the
 * `depends on` expression of its Kconfig entry (`dependsExpr`: the
 * expression, one or more `depends on ...` lines, or kconfigDepends(...).expr)
 * and the final .config:
 *
 *   CONFIG_ZONE_DEVICE=y was dropped: it depends on MEMORY_HOTREMOVE [=n] && SPARSEMEM_VMEMMAP [=y]; MEMORY_HOTREMOVE is n
 *
 * `option` is a request line (`CONFIG_X=y`, `CONFIG_X=m`, `CONFIG_N=64`) or
 * a bare name (taken as `=y`). Never throws.
 */
export function explainDropped(option: string, dependsExpr: string | readonly string[], config: string | KconfigValues): string {
  const { name, requested } = parseRequest(option);
  const values = typeof config === 'string' ? parseKconfig(config).values : config;
  const actual = values.get(name);
  const asked = `CONFIG_${name}=${requested ?? 'n'}`;
  if (sameKconfigValue(requested, actual)) return `${asked} is set as requested`;
  if (isOff(requested)) {
    return `${asked} was not honoured: it is ${describeValue(actual)}, forced by a select or a default rather than by its dependencies`;
  }
  const outcome = isOff(actual) ? 'was dropped' : `became ${describeValue(actual)}`;
  const expr = dependsText(dependsExpr);
  if (expr === '') return `${asked} ${outcome}, though it depends on nothing: it may have no prompt, or be in a choice or under a menu's or if's condition`;
  // y needs the dependencies at y; m or a number/string needs them above n
  const want = requested === 'y' ? 'y' : 'm';
  const ev = evaluateKconfigExpr(expr, values, want);
  if ('error' in ev) return `${asked} ${outcome}: it depends on ${expr} (which could not be read: ${ev.error})`;
  if (ev.value === 'n' || (ev.value === 'm' && want === 'y')) {
    if (ev.off.length === 0) return `${asked} ${outcome}: it depends on ${ev.text}, which is ${ev.value}`;
  } else {
    const why = requested === 'm' && actual === 'y' ? 'something selects it as y' : 'its dependencies are met';
    return `${asked} ${outcome} though ${why}: it depends on ${ev.text}, which is ${ev.value}; look for a select, a choice, a range, or a missing prompt`;
  }
  const limit = ev.value === 'm' && requested === 'y' ? ', so it can be m at most' : '';
  return `${asked} ${outcome}: it depends on ${ev.text}; ${ev.off.map((o) => `${o.name} is ${o.value}`).join(', ')}${limit}`;
}

/** `CONFIG_X=y`, `# CONFIG_X is not set`, `X` → name and requested value (a bare name asks for y). */
function parseRequest(option: string): { name: string; requested: KconfigValue } {
  const line = option.trim();
  const parsed = parseKconfig([line]).values;
  const first = parsed.entries().next();
  if (!first.done) return { name: first.value[0], requested: first.value[1] };
  const eq = line.indexOf('=');
  if (eq > 0) return { name: optionName(line.slice(0, eq)), requested: line.slice(eq + 1).trim() };
  return { name: optionName(line), requested: 'y' };
}

/** `depends on A`, `\tdepends on B # why` lines, or a bare expression → `A && B`. */
function dependsText(dependsExpr: string | readonly string[]): string {
  const lines = (typeof dependsExpr === 'string' ? dependsExpr.split(/\r?\n|\r/) : dependsExpr)
    .map((l) => l.replace(/#.*$/, '').trim().replace(/^depends\s+on\s+/, '').trim())
    .filter((l) => l !== '');
  if (lines.length <= 1) return lines[0] ?? '';
  return lines.map((l) => (/\|\|/.test(l) ? `(${l})` : l)).join(' && ');
}
