import * as fs from 'fs';
import * as path from 'path';

/** The shared fixtures, beside the repository (../shared). */
export const LKML_FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/console/lkml');

export function fixture(name: string): string {
  return fs.readFileSync(path.join(LKML_FIXTURES, name), 'utf8');
}

/** Every line of `text` with a mail quote prefix, as a reply would have it. */
export function quote(text: string, prefix = '> '): string {
  return text
    .split('\n')
    .map((l, i, all) => (i === all.length - 1 && l === '' ? l : prefix + l))
    .join('\n');
}

/** Strips the first line's indentation from every line of a template block, and the leading newline. */
export function block(s: string): string {
  const lines = s.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n') + '\n';
}
