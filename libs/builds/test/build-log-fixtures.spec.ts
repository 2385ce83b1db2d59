import * as fs from 'fs';
import * as path from 'path';
import { analyzeBuildLog, type BuildLogAnalysis } from '@pfnlab/builds';
import { fixture, LKML_FIXTURES, quote } from './support';

/**
 * The build failures of ../shared/fixtures/console/lkml (INDEX.md): mail
 * excerpts, wrapped and re-flowed by mailers. Titles are INDEX.md's "title
 * line for a classifier", normalised: column dropped, quotes straightened,
 * the mailer's wrap re-joined.
 */

const LINK = 'non-x86-hotplug-link-error-1.log';
const S390 = 's390-arch-remove-memory-build-error-1.log';
const X86 = 'x86-arch-pgtable-test-build-error-1.log';

const link = (line: number, sym: string, func: string, section: string, text: string, count = 1) => ({
  kind: 'link',
  title: `undefined reference to '${sym}'`,
  message: `undefined reference to '${sym}'`,
  function: func,
  symbol: sym,
  text: `mm/built-in.o: In function \`${func}':\n(${section}): ${text}`,
  logLine: line,
  count,
});

const EXPECTED: Record<string, BuildLogAnalysis> = {
  [LINK]: {
    status: 'failed',
    title: "undefined reference to 'vmemmap_free_bootmem'",
    errors: [
      link(2, 'vmemmap_free_bootmem', 'sparse_remove_one_section', '.text+0x49fa6', "undefined reference to `vmemmap_free_bootmem'"),
      link(4, 'vmemmap_kfree', 'sparse_remove_one_section', '.text+0x49fcc', "undefined reference to `vmemmap_kfree'"),
      link(6, 'register_page_bootmem_memmap', 'register_page_bootmem_info_node', '.text+0x57c06', "undefined reference to `register_page_bootmem_memmap'"),
      // the second occurrence (line 10) counts, its text is the first's
      link(8, 'vmemmap_kfree', 'sparse_add_one_section', '.meminit.text+0x2506', "undefined reference to `vmemmap_kfree'", 2),
      { kind: 'make', title: 'make: *** [vmlinux] Error 1', message: '[vmlinux] Error 1', text: 'make: *** [vmlinux] Error 1', logLine: 11, count: 1 },
    ] as BuildLogAnalysis['errors'],
    warnings: [],
    lines: 11,
  },
  [S390]: {
    status: 'failed',
    // INDEX.md: "arch/s390/mm/init.c:262: error: conflicting types for" (the mailer moved the name to the next line)
    title: "arch/s390/mm/init.c:262: error: conflicting types for 'arch_remove_memory'",
    errors: [
      {
        kind: 'compile',
        title: "arch/s390/mm/init.c:262: error: conflicting types for 'arch_remove_memory'",
        file: 'arch/s390/mm/init.c',
        line: 262,
        message: "conflicting types for 'arch_remove_memory'",
        symbol: 'arch_remove_memory',
        // gcc 4's "error: previous declaration" is the other half of the same error
        text:
          'arch/s390/mm/init.c:262: error: conflicting types for ‘arch_remove_memory’\n' +
          'include/linux/memory_hotplug.h:88: error: previous declaration of ‘arch_remove_memory’ was here',
        logLine: 1,
        count: 1,
      },
    ],
    warnings: [],
    lines: 3,
  },
  [X86]: {
    status: 'failed',
    // INDEX.md: "mm/arch_pgtable_test.c:156:17: error: lvalue required as left operand of " (wrapped)
    title: 'mm/arch_pgtable_test.c:156: error: lvalue required as left operand of assignment',
    errors: [
      {
        kind: 'compile',
        title: 'mm/arch_pgtable_test.c:156: error: lvalue required as left operand of assignment',
        file: 'mm/arch_pgtable_test.c',
        line: 156,
        column: 17,
        message: 'lvalue required as left operand of assignment',
        function: 'pud_clear_tests',
        text:
          'mm/arch_pgtable_test.c: In function ‘pud_clear_tests’:\n' +
          'mm/arch_pgtable_test.c:156:17: error: lvalue required as left operand of assignment\n' +
          '  pud_val(*pudp) |= RANDOM_ORVALUE;\n' +
          ' ^~',
        logLine: 2,
        count: 1,
      },
    ],
    warnings: [],
    lines: 5,
  },
};

describe('lkml build-error fixtures', () => {
  it.each(Object.keys(EXPECTED))('%s', (file) => {
    expect(analyzeBuildLog(fixture(file))).toEqual(EXPECTED[file]);
  });

  it('reads bytes as well as text', () => {
    expect(analyzeBuildLog(fs.readFileSync(path.join(LKML_FIXTURES, X86)))).toEqual(EXPECTED[X86]);
  });

  it('lists the titles INDEX.md names, in its table order', () => {
    expect([LINK, S390, X86].map((f) => analyzeBuildLog(fixture(f)).title)).toEqual([
      "undefined reference to 'vmemmap_free_bootmem'",
      "arch/s390/mm/init.c:262: error: conflicting types for 'arch_remove_memory'",
      'mm/arch_pgtable_test.c:156: error: lvalue required as left operand of assignment',
    ]);
  });
});

describe('the same excerpts quoted again', () => {
  const prefixes = ['> ', '> > ', '>> ', '> >>> ', '>', '>>>>'];
  it.each(prefixes.flatMap((p) => [LINK, S390, X86].map((f) => [JSON.stringify(p), f] as const)))('quoted %s: %s', (p, file) => {
    const r = analyzeBuildLog(quote(fixture(file), JSON.parse(p)));
    expect({ ...r, errors: r.errors.map(({ text: _t, ...e }) => e) }).toEqual({
      ...EXPECTED[file],
      errors: EXPECTED[file].errors.map(({ text: _t, ...e }) => e),
    });
    // "> " quoting is stripped exactly; ">" leaves the indentation ambiguous by one blank
    const strip = (t: string) => (p.endsWith(' "') ? t : t.replace(/^\s+/gm, ''));
    expect(r.errors.map((e) => strip(e.text))).toEqual(EXPECTED[file].errors.map((e) => strip(e.text)));
  });

  it('re-joins the x86 error wrapped at another point', () => {
    const log = fixture(X86).replace('lvalue required as left operand of \nassignment', 'lvalue required as \nleft operand of assignment');
    expect(log).not.toBe(fixture(X86));
    expect(analyzeBuildLog(log).title).toBe('mm/arch_pgtable_test.c:156: error: lvalue required as left operand of assignment');
  });

  it('re-joins a link error wrapped before the symbol', () => {
    const log = fixture(LINK).replace("undefined reference to `vmemmap_free_bootmem'", "undefined reference to \n`vmemmap_free_bootmem'");
    const r = analyzeBuildLog(log);
    expect(r.title).toBe("undefined reference to 'vmemmap_free_bootmem'");
    expect(r.errors[0]).toMatchObject({ logLine: 2, function: 'sparse_remove_one_section', count: 1 });
    expect(r.errors[1].logLine).toBe(5);
  });

  it('reads the s390 error when the mailer did not reflow it', () => {
    const log =
      'arch/s390/mm/init.c:262: error: conflicting types for ‘arch_remove_memory’\n' +
      'include/linux/memory_hotplug.h:88: error: previous declaration of ‘arch_remove_memory’ was here\n';
    expect(analyzeBuildLog(log)).toEqual({ ...EXPECTED[S390], lines: 2 });
  });
});

describe('not build failures', () => {
  const others = [
    ...fs.readdirSync(LKML_FIXTURES).filter((f) => f.endsWith('.log') && !(f in EXPECTED)),
    ...fs.readdirSync(path.join(LKML_FIXTURES, 'non-console')).map((f) => `non-console/${f}`),
    ...fs.readdirSync(path.join(LKML_FIXTURES, 'requoted')).map((f) => `requoted/${f}`),
  ];

  it('has the negative samples INDEX.md lists', () => {
    expect(others).toContain('non-console/multiarch-bloat-o-meter-pxd-addr-end-1.log');
    expect(others.length).toBe(13);
  });

  it.each(others)('%s: ok, nothing found', (file) => {
    const r = analyzeBuildLog(fixture(file));
    expect({ status: r.status, title: r.title, errors: r.errors, warnings: r.warnings }).toEqual({
      status: 'ok',
      title: null,
      errors: [],
      warnings: [],
    });
  });
});
