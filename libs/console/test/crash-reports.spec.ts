import { analyzeLog, MAX_TITLE_LENGTH } from '@pfnlab/console';
import { ARM64_CASES } from './reports-arm64';
import { PPC64LE_CASES } from './reports-ppc64le';
import { S390X_CASES } from './reports-s390x';
import { X86_64_CASES } from './reports-x86_64';
import type { CrashCase } from './support';

const ALL: CrashCase[] = [...X86_64_CASES, ...ARM64_CASES, ...S390X_CASES, ...PPC64LE_CASES];

describe.each(ALL.map((c) => [`${c.arch}: ${c.name}`, c] as const))('%s', (_name, c) => {
  const result = analyzeLog(c.log);

  it('is one crash with the expected title, type and frame', () => {
    expect(result.crashes.map((x) => x.title)).toEqual([c.title]);
    const crash = result.crashes[0];
    expect(crash.type).toBe(c.type);
    expect(crash.frame).toBe(c.frame);
    expect(crash.corrupted).toBe(c.corrupted ?? false);
    expect(crash.title.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
  });

  it('knows the arch and the report lines', () => {
    const crash = result.crashes[0];
    expect(crash.arch).toBe(c.arch);
    expect(result.arch).toBe(c.arch);
    expect(crash.startLine).toBe(c.startLine ?? 1);
    expect(crash.count).toBe(1);
    const lines = c.log.trimEnd().split('\n');
    expect(crash.endLine).toBeLessThanOrEqual(lines.length);
    expect(crash.report.split('\n')[0]).toBe(lines[(c.startLine ?? 1) - 1]);
  });
});
