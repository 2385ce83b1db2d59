/**
 * Compiler and linker messages start with a path (`mm/x.c:12:3: error:`,
 * `mm/built-in.o: In function`, `(.text+0x12): undefined reference`), not
 * with a fixed word, so the prefilter recognises their shape instead: a
 * path-like token, a colon, then a digit, a parenthesis or "in function".
 * Kernel console lines rarely look like that.
 */
export function looksLikeBuildLine(s: string): boolean {
  const n = Math.min(s.length, 240);
  if (n < 4) return false;
  if (s.charCodeAt(0) === 0x28 /* ( */) return s.charCodeAt(1) === 0x2e; // "(.text+0x..)"
  let i = 0;
  while (i < n && isPathChar(s.charCodeAt(i))) i++;
  if (i === 0 || s.charCodeAt(i) !== 0x3a /* : */) return false;
  const next = s.charCodeAt(i + 1);
  if ((next >= 0x30 && next <= 0x39) || next === 0x28) return true;
  if (next !== 0x20) return false;
  const rest = s.slice(i + 2, i + 14);
  if (rest.startsWith('In function') || rest.startsWith('in function') || rest.startsWith('undefined')) return true;
  // "ld: mm/sparse.o: in function `f':"
  return i >= 2 && s.charCodeAt(i - 1) === 0x64 && s.charCodeAt(i - 2) === 0x6c && looksLikeBuildLine(s.slice(i + 2));
}

/** The same test on raw bytes, for the hot path. */
export function looksLikeBuildBytes(b: Uint8Array, p: number, end: number): boolean {
  const n = Math.min(end, p + 240);
  if (n - p < 4) return false;
  if (b[p] === 0x28) return b[p + 1] === 0x2e;
  let i = p;
  while (i < n && isPathChar(b[i])) i++;
  if (i === p || b[i] !== 0x3a) return false;
  const next = b[i + 1];
  if ((next >= 0x30 && next <= 0x39) || next === 0x28) return true;
  if (next !== 0x20) return false;
  // "In function", "in function", "undefined reference", "ld: <path>: ..."
  const at = i + 2;
  if (bytesAt(b, at, IN_FUNCTION, 1) || bytesAt(b, at, UNDEFINED, 0)) return true;
  return i - p >= 2 && b[i - 1] === 0x64 && b[i - 2] === 0x6c;
}

const IN_FUNCTION = Array.from('In function', (c) => c.charCodeAt(0));
const UNDEFINED = Array.from('undefined ', (c) => c.charCodeAt(0));

/** Compares bytes at `at` with `word`, ignoring case for the first `foldFirst` characters. */
function bytesAt(b: Uint8Array, at: number, word: readonly number[], foldFirst: number): boolean {
  for (let j = 0; j < word.length; j++) {
    const c = b[at + j];
    if (c !== word[j] && !(j < foldFirst && (c | 0x20) === (word[j] | 0x20))) return false;
  }
  return true;
}

function isPathChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2e ||
    c === 0x2f ||
    c === 0x2d ||
    c === 0x2b
  );
}
