import { CliError, ExitCode } from '../cli-error';

/*
 * Parsers for the numeric options of `pfnlab stats`: each refuses a bad
 * value with the option's name and exit code 2, before any file is read.
 */

/** A fraction, written `0.05` or `5%`, within [min, max) (or (min, max) when `open`). */
export function fractionOption(option: string, min: number, max: number, openBelow = false) {
  return (value: string): number => {
    const m = /^(\d*\.?\d+(?:[eE][+-]?\d+)?)(%?)$/.exec(value.trim());
    const x = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
    const ok = (openBelow ? x > min : x >= min) && x < max;
    if (!ok) {
      const range = `${openBelow ? '(' : '['}${min}, ${max})`;
      throw new CliError(`${option} must be a number in ${range} such as 0.05 or 5%, not "${value}"`, ExitCode.usage);
    }
    return x;
  };
}

/** A whole number within [min, max]. */
export function integerOption(option: string, min: number, max: number) {
  return (value: string): number => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!(Number.isSafeInteger(n) && n >= min && n <= max)) {
      throw new CliError(`${option} must be a whole number from ${min} to ${max}, not "${value}"`, ExitCode.usage);
    }
    return n;
  };
}

/** A comma-separated list of numbers, each checked by `one`. */
export function listOption(option: string, one: (v: string) => number) {
  return (value: string): number[] => {
    const items = value.split(',').map((s) => s.trim());
    if (items.some((s) => s === '')) throw new CliError(`${option} must be a comma-separated list, not "${value}"`, ExitCode.usage);
    return items.map(one);
  };
}

/** Collects a repeatable string option (no default, so that --help does not print "default: []"). */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
