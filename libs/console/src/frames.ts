/** A function named in a report: `name+0xOFF/0xLEN` with the name normalised. */
export interface Frame {
  name: string;
  /** False for frames the kernel itself marks as guesses (`? f`, `(unreliable)`, s390 `(...)`). */
  reliable: boolean;
}

/** Labels of the lines that show the faulting program counter, per arch. */
const PC_LABELS = [
  'RIP: ', // x86_64
  'EIP: ', // i386
  'IP: ', // old x86 oopses
  'pc : ', // arm64
  'PC is at ', // arm64 before 4.x, arm
  'Krnl PSW', // s390
  'NIP [', // ppc64
  'NIP  [',
  'pc: ', // ppc64 xmon
];

/** Labels of link-register lines: they name the caller, never the guilty frame. */
const LR_LABELS = ['lr : ', 'LR is at ', 'LR [', 'LR  [', 'lr: ', '[link register'];

/**
 * Finds the first `ident+0xHEX` token at or after `from`. Hand-written (indexOf
 * plus byte walks) so that cost is linear in the line length whatever it holds.
 */
export function findFrameToken(s: string, from = 0): { name: string; start: number; end: number } | null {
  let at = s.indexOf('+0x', from);
  while (at >= 0) {
    let b = at;
    while (b > 0 && isIdentChar(s.charCodeAt(b - 1))) b--;
    let e = at + 3;
    const hexStart = e;
    while (e < s.length && isHex(s.charCodeAt(e))) e++;
    if (e > hexStart && b < at && isIdentStart(s.charCodeAt(b))) {
      if (s.startsWith('/0x', e)) {
        e += 3;
        while (e < s.length && isHex(s.charCodeAt(e))) e++;
      }
      return { name: s.slice(b, at), start: b, end: e };
    }
    at = s.indexOf('+0x', at + 3);
  }
  return null;
}

/** Strips what the compiler appends (`.cold`, `.isra.0`, `.constprop.3`, `.part.1`, `.llvm.123`) and ppc64 ELFv1 dots. */
export function normalizeFrameName(name: string): string {
  let n = name.charCodeAt(0) === 0x2e ? name.slice(1) : name;
  const dot = n.indexOf('.');
  if (dot > 0) n = n.slice(0, dot);
  return n;
}

/** The function on a program-counter line (`RIP:`, `pc :`, `Krnl PSW`, `NIP`), if this is one. */
export function pcFrame(body: string): string | null {
  if (!startsWithAny(body, PC_LABELS)) return null;
  const t = findFrameToken(body);
  return t ? normalizeFrameName(t.name) : null;
}

export function isPcLine(body: string): boolean {
  return startsWithAny(body, PC_LABELS);
}

export function isLinkRegisterLine(body: string): boolean {
  return startsWithAny(body, LR_LABELS);
}

/**
 * Parses a call-trace line of any of the four arches:
 *   x86/arm64 ` f+0x1/0x2`, ` ? f+0x1/0x2 [mod]`; old x86/s390 ` [<addr>] f+0x..`;
 *   s390 `([<addr>] f+0x..)`; ppc64 `[sp] [pc] f+0x.. (unreliable)`; xmon `[sp] pc f+0x..`.
 * Returns null for anything else (registers, code bytes, `<IRQ>`, labels).
 */
export function parseFrameLine(body: string): Frame | null {
  let i = 0;
  let reliable = true;
  const n = body.length;
  for (let guard = 0; guard < 8 && i < n; guard++) {
    const c = body.charCodeAt(i);
    if (c === 0x20 || c === 0x09) {
      i++;
    } else if (c === 0x28 /* ( */) {
      reliable = false; // s390 prints the r14 guess in parentheses
      i++;
    } else if (c === 0x3c /* < */) {
      // old x86 traces: "<IRQ>  [<addr>] f+0x..", "<EOI>  [<addr>] f+0x.."
      const close = body.indexOf('>', i);
      if (close < 0 || close - i > 8) return null;
      i = close + 1;
    } else if (c === 0x3f /* ? */ && body.charCodeAt(i + 1) === 0x20) {
      reliable = false;
      i += 2;
    } else if (c === 0x5b /* [ */) {
      const close = body.indexOf(']', i);
      if (close < 0 || !isAddressGroup(body, i + 1, close)) return null;
      i = close + 1;
    } else if (isHex(c)) {
      // bare address before the symbol (xmon): hex run followed by a space
      let e = i;
      while (e < n && isHex(body.charCodeAt(e))) e++;
      if (body.charCodeAt(e) !== 0x20 || e - i < 4) break;
      i = e + 1;
    } else {
      break;
    }
  }
  const t = findFrameToken(body, i);
  if (!t || t.start !== i) return null;
  if (body.indexOf('(unreliable)', t.end) >= 0) reliable = false;
  return { name: normalizeFrameName(t.name), reliable };
}

function isAddressGroup(s: string, from: number, to: number): boolean {
  if (to - from < 4) return false;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (!(isHex(c) || c === 0x3c || c === 0x3e || c === 0x20 || c === 0x78)) return false;
  }
  return true;
}

function startsWithAny(s: string, labels: readonly string[]): boolean {
  for (const l of labels) if (s.startsWith(l)) return true;
  return false;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2e;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
}
