import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { analyzeLog, ConsoleAnalyzer, MAX_TITLE_LENGTH, type AnalysisResult } from '@pfnlab/console';
import { ARM64_CASES } from './reports-arm64';
import { PPC64LE_CASES } from './reports-ppc64le';
import { S390X_CASES } from './reports-s390x';
import { X86_64_CASES } from './reports-x86_64';
import { LKML_FIXTURES } from './support';

/**
 * Property/fuzz tests: 100,000+ random and mutated inputs. Each must be
 * analysed without an exception, within a generous time bound, and give a
 * result that keeps the analyzer's invariants. Lines are capped at 4 KiB, so
 * even a quadratic pattern stays in milliseconds; a catastrophically
 * (exponentially) backtracking one would blow the bounds by orders of
 * magnitude. The bounds are generous so that a loaded CI machine does not
 * fail them: 1 s per input, and 2 ms per input on average over a whole run
 * (about ten times what it takes).
 */

const PER_INPUT_MS = 1_000;
const AVERAGE_MS = 2;
const SEED = 20251122;

const SEEDS: string[] = [
  ...[...X86_64_CASES, ...ARM64_CASES, ...S390X_CASES, ...PPC64LE_CASES].map((c) => c.log),
  ...fs
    .readdirSync(LKML_FIXTURES)
    .filter((f) => f.endsWith('.log'))
    .map((f) => fs.readFileSync(path.join(LKML_FIXTURES, f), 'utf8')),
];

// Pieces that header, frame and prefix patterns react to, to build nasty lines from.
const TOKENS = [
  'BUG: ', 'WARNING: ', 'CPU: ', ' PID: ', ' at ', 'mm/x.c:1', 'kernel BUG at ', 'KASAN: ', 'KFENCE: ', 'UBSAN: ',
  ' in ', 'foo', '+0x', '/0x', '1f', ' ', '  ', '[', ']', '¢', '!', '<', '>', '(', ')', '[<', '>]', ':', '#', '$',
  '\n', '\r', '\r\n', '\t', '\x1b[', '\x1b]', '\x00', '=', '-', 'Call Trace:', 'RIP: 0010:', 'pc : ', 'Krnl PSW : ',
  'NIP [', 'Oops: ', 'Kernel panic - not syncing: ', 'INFO: task ', ' blocked for more than 120 seconds',
  'rcu: INFO: rcu_sched self-detected stall', 'list_del corruption', 'refcount_t: ', 'cut here', '---[ end trace',
  'login: ', 'root@h:~# ', 'Linux version ', 'Memory: 1K/2K available', '[    1.000000] ', '[ T1]', 'é', '\u00a2',
  'mm/a.c:1:2: error: ', '(.text+0x1): undefined reference to `f\'', 'x: In function ‘g’:', 'ld: ',
];

function checkInvariants(r: AnalysisResult): void {
  let last = 0;
  for (const c of r.crashes) {
    if (c.title.length > MAX_TITLE_LENGTH) throw new Error(`title too long: ${c.title}`);
    if (c.title.length === 0) throw new Error('empty title');
    if (!(c.startLine >= 1 && c.startLine <= c.endLine && c.endLine <= r.lines)) {
      throw new Error(`bad line range ${c.startLine}-${c.endLine} of ${r.lines}`);
    }
    if (c.startLine < last) throw new Error('crashes out of order');
    last = c.startLine;
    if (c.count < 1) throw new Error('count < 1');
    if (c.corrupted && (c.frame !== null || !c.title.endsWith(' in corrupted'))) {
      throw new Error(`corrupted crash with a frame or a title not ending "in corrupted": ${c.title}`);
    }
    if (c.frame !== null && !/^[A-Za-z_$][\w$]*$/.test(c.frame)) throw new Error(`odd frame ${c.frame}`);
  }
  for (const m of r.milestones) {
    if (m.line < 1 || m.line > r.lines + 1) throw new Error(`milestone line ${m.line} of ${r.lines}`);
  }
}

function timed(input: string | Uint8Array): AnalysisResult {
  const t0 = process.hrtime.bigint();
  const r = analyzeLog(input);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (ms > PER_INPUT_MS) throw new Error(`took ${ms.toFixed(0)} ms on a ${input.length}-byte input`);
  checkInvariants(r);
  return r;
}

// Mutations of real reports: cut, duplicate, insert, wrap like a mailer, mangle brackets, repeat.
const mutation = fc.oneof(
  fc.record({ op: fc.constant('cut' as const), at: fc.nat(), len: fc.nat({ max: 400 }) }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.nat({ max: 400 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }) }),
  fc.record({ op: fc.constant('wrap' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('mangle' as const) }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), times: fc.integer({ min: 2, max: 60 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, muts: Mutation[]): string {
  let s = text;
  for (const m of muts) {
    const at = 'at' in m ? m.at % (s.length + 1) : 0;
    switch (m.op) {
      case 'cut':
        s = s.slice(0, at) + s.slice(at + m.len);
        break;
      case 'dup':
        s = s.slice(0, at + m.len) + s.slice(at, at + m.len) + s.slice(at + m.len);
        break;
      case 'insert':
        s = s.slice(0, at) + m.text.join('') + s.slice(at);
        break;
      case 'wrap': {
        const sp = s.indexOf(' ', at);
        if (sp >= 0) s = `${s.slice(0, sp + 1)}\n${s.slice(sp + 1)}`;
        break;
      }
      case 'mangle':
        s = s.replace(/\[/g, '¢').replace(/\]/g, '!');
        break;
      case 'repeat': {
        const end = s.indexOf('\n', at);
        const line = s.slice(s.lastIndexOf('\n', at - 1) + 1, end < 0 ? s.length : end + 1);
        s = s.slice(0, at) + line.repeat(m.times) + s.slice(at);
        break;
      }
      case 'truncate':
        s = s.slice(0, at);
        break;
    }
    s = s.slice(0, MAX_MUTATED); // keep inputs small: the point is their shape, not their size
  }
  return s;
}
const MAX_MUTATED = 16_384;

/** Runs a property and checks the whole run's time budget. */
function withinBudget(runs: number, body: () => void): void {
  const t0 = process.hrtime.bigint();
  body();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  expect(ms).toBeLessThan(runs * AVERAGE_MS);
}

describe('fuzzing the console analyzer', () => {
  it('survives 30,000 random byte strings', () => {
    withinBudget(30_000, () =>
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
          timed(bytes);
        }),
        { numRuns: 30_000, seed: SEED },
      ),
    );
  }, 120_000);

  it('survives 30,000 lines built from header, frame and prefix tokens', () => {
    withinBudget(30_000, () =>
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }), (parts) => {
          timed(parts.join(''));
        }),
        { numRuns: 30_000, seed: SEED + 1 },
      ),
    );
  }, 120_000);

  it('survives 35,000 mutated real reports', () => {
    withinBudget(35_000, () =>
      fc.assert(
        fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, muts) => {
          timed(mutate(seed, muts));
        }),
        { numRuns: 35_000, seed: SEED + 2 },
      ),
    );
  }, 180_000);

  it('gives the same result however 5,000 mutated reports are cut into chunks', () => {
    withinBudget(5_000, () =>
      fc.assert(
        fc.property(
          fc.constantFrom(...SEEDS),
          fc.array(mutation, { maxLength: 3 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          (seed, muts, cuts) => {
            const bytes = new TextEncoder().encode(mutate(seed, muts));
            const whole = timed(bytes);
            const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
            const a = new ConsoleAnalyzer();
            let prev = 0;
            for (const p of [...points, bytes.length]) {
              a.push(bytes.subarray(prev, p));
              prev = p;
            }
            const chunked = a.end();
            expect(chunked.crashes.map((c) => [c.title, c.startLine, c.endLine, c.count])).toEqual(
              whole.crashes.map((c) => [c.title, c.startLine, c.endLine, c.count]),
            );
            expect(chunked.lines).toBe(whole.lines);
          },
        ),
        { numRuns: 5_000, seed: SEED + 3 },
      ),
    );
  }, 120_000);

  it('stays linear on long adversarial lines (no catastrophic backtracking)', () => {
    const n = 4000;
    const nasty = [
      `BUG: KFENCE: ${'a '.repeat(n)}`,
      `WARNING: CPU: ${'1 '.repeat(n)}`,
      `WARNING: ${'x'.repeat(n)}:1 at ${'f'.repeat(n)}`,
      `UBSAN: ${'a-'.repeat(n)} in`,
      `[${' '.repeat(n)}`,
      `${'+0x'.repeat(n)}`,
      `${'a'.repeat(n)}+0x`,
      `${'[<0000>] '.repeat(n / 8)}`,
      `¢${' ¢'.repeat(n / 2)}`,
      `\x1b[${'1;'.repeat(n)}`,
      `${'a'.repeat(n)}: In function`,
      `mm/${'a/'.repeat(n / 2)}x.c:1: error: ${"'".repeat(n)}`,
      `Kernel panic - not syncing: ${'0x1 '.repeat(n / 4)}`,
      `root@${'a'.repeat(60)}:${'~'.repeat(n)}# `,
      `list_del corruption ${'dead000000000100 '.repeat(n / 16)}`,
    ];
    const t0 = process.hrtime.bigint();
    for (const line of nasty) {
      const r = timed(`${line}\n${line}\nCall Trace:\n ${line}\n`);
      expect(r.lines).toBeGreaterThanOrEqual(4);
    }
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(nasty.length * PER_INPUT_MS);
  });
});
