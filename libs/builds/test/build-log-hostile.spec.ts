import fc from 'fast-check';
import { analyzeBuildLog, BUILD_LOG_LIMITS, MAX_LINE_CHARS, type BuildLogAnalysis } from '@pfnlab/builds';
import { fixture } from './support';

/**
 * Hostile input: never an exception, bounded time, invariants kept. Lines
 * are capped at 4 KiB, so a pattern that backtracks polynomially stays in
 * milliseconds; an exponential one would blow the bounds by orders of
 * magnitude. Bounds are generous for loaded CI machines.
 */

const SEED = 20251122;
const PER_INPUT_MS = 1_000;

function checkInvariants(r: BuildLogAnalysis): void {
  if ((r.status === 'failed') !== r.errors.length > 0) throw new Error('status disagrees with errors');
  if (r.errors.length > 0 && !r.errors.some((e) => e.title === r.title)) throw new Error('title is no error\'s');
  if (r.errors.length === 0 && r.title !== null) throw new Error('title without errors');
  for (const e of [...r.errors, ...r.warnings]) {
    if (e.count < 1 || e.logLine < 1 || e.logLine > r.lines) throw new Error(`bad count or line: ${JSON.stringify(e)}`);
  }
  for (const e of r.errors) {
    if (e.title.length === 0 || e.title.length > 2 * MAX_LINE_CHARS) throw new Error(`bad title ${e.title}`);
    if (e.text.split('\n').length > BUILD_LOG_LIMITS.textLines) throw new Error('text too long');
  }
}

function timed(log: string | Uint8Array): BuildLogAnalysis {
  const t0 = performance.now();
  const r = analyzeBuildLog(log);
  const ms = performance.now() - t0;
  if (ms > PER_INPUT_MS) throw new Error(`took ${ms.toFixed(0)} ms`);
  checkInvariants(r);
  return r;
}

const TOKENS = [
  'mm/x.c', ':', '12', ':3', ': ', 'error', 'warning', 'note', 'fatal error', 'Error', ': error: ', ': warning: ', 'In function ',
  '‘f’', '`g\'', "'h'", '(.text+0x1f)', ': undefined reference to ', 'ld: ', 'ld.lld: error: ', 'undefined symbol: ', '>>> ',
  'make[2]: *** ', '[Makefile:1: x] Error 1', 'Stop.', 'ERROR: modpost: ', '"s" [a.ko] undefined!', 'mm/Kconfig:', 'syntax error',
  '*** ', 'In file included from ', '                 from ', '  CC      ', '  156 | ', '      |   ^~~', '^', '~', '> ', '>', ' ',
  '\t', '\n', '\r', '\r\n', '\x1b[01;31m\x1b[K', '\x1b]8;;http://x\x07', '\x00', '\ufffd', 'é', '(', ')', '[', ']', '-W', 'of ',
  'for ', '{standard input}', 'Assembler messages:', 'collect2: error: ', 'cc1: ', './',
];
const SEEDS = [
  fixture('non-x86-hotplug-link-error-1.log'),
  fixture('s390-arch-remove-memory-build-error-1.log'),
  fixture('x86-arch-pgtable-test-build-error-1.log'),
];

describe('hostile build logs', () => {
  it('random token soup: no exception, invariants, bounded time', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 400 }), (parts) => {
        timed(parts.join(''));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('mutated fixtures: cut, spliced, duplicated', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.nat(), fc.nat(), fc.constantFrom(...TOKENS), (log, a, b, tok) => {
        const i = a % (log.length + 1);
        const j = b % (log.length + 1);
        timed(log.slice(0, i) + tok + log.slice(j));
        timed(log.slice(i) + log.slice(0, j));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        timed(bytes);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('long adversarial lines stay fast', () => {
    const n = 100_000;
    const lines = [
      'a'.repeat(n),
      'mm/'.repeat(n / 3),
      ':'.repeat(n),
      'mm/x.c:1:'.repeat(n / 9),
      '('.repeat(n),
      '(.text+0x1): '.repeat(n / 13),
      'ld: '.repeat(n / 4),
      'In file included from ' + 'x'.repeat(n),
      'make[1]: *** [' + ']'.repeat(n),
      '> '.repeat(n / 2) + 'mm/x.c:1:2: error: boom',
      'mm/x.c:1:2: error: for '.repeat(n / 24),
      ' '.repeat(n) + '^',
      '\x1b['.repeat(n / 2),
      '\x1b]'.repeat(n / 2),
      'Kconfig'.repeat(n / 7) + ':1: syntax error',
      'x: In function ' + "'".repeat(n),
    ];
    for (const line of lines) {
      // each line alone, then as a mail-wrapped continuation of an error
      timed(line);
      timed(`mm/x.c:1:2: error: lvalue required as left operand of \n${line}\n`);
    }
  });

  it('many lines: keeps 1,000 distinct errors and counts the rest', () => {
    let log = '';
    for (let i = 0; i < 1200; i++) log += `mm/x${i}.c:1:1: error: boom\n`;
    for (let i = 0; i < 5; i++) log += 'mm/x0.c:1:1: error: boom\n';
    const r = timed(log);
    expect(r.errors).toHaveLength(BUILD_LOG_LIMITS.errors);
    expect(r.errors[0]).toMatchObject({ title: 'mm/x0.c:1: error: boom', count: 6 });
    expect(r.errors[999].title).toBe('mm/x999.c:1: error: boom');
    expect(r.lines).toBe(1205);
  });

  it('caps an error\'s text and a line\'s length', () => {
    const excerpt = Array.from({ length: 100 }, (_, i) => `   ${i} | x`).join('\n');
    const r = timed(`mm/x.c:1:1: error: ${'y'.repeat(10_000)}\n${excerpt}\n`);
    expect(r.errors[0].text.split('\n')).toHaveLength(BUILD_LOG_LIMITS.textLines);
    expect(r.errors[0].message).toBe('y'.repeat(1000));
    expect(r.errors[0].text.split('\n')[0]).toHaveLength(MAX_LINE_CHARS);
  });
});
