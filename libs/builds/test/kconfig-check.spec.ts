import fc from 'fast-check';
import { checkKconfig, explainDropped, kconfigDepends, parseKconfig } from '@pfnlab/builds';
import { MM_KCONFIG_6_1, X86_CONFIG_NO_MIGRATION } from './kconfig-data';

const REQUESTED = [
  'CONFIG_MEMORY_HOTPLUG=y',
  'CONFIG_MEMORY_HOTREMOVE=y',
  'CONFIG_ZONE_DEVICE=y',
  'CONFIG_DEVICE_PRIVATE=y',
  '# CONFIG_MIGRATION is not set',
  'CONFIG_NR_CPUS=64',
  'CONFIG_CMDLINE="console=ttyS0,115200 memhp_default_state=online"',
  'CONFIG_PHYSICAL_START=0x1000000',
  'CONFIG_DEV_DAX_PMEM=y',
  'CONFIG_TEST_KMOD=m',
  'CONFIG_KASAN=n',
  '# CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE is not set',
];

describe('parseKconfig', () => {
  it('reads options, not-set lines, skips comments and lists the rest', () => {
    const p = parseKconfig('# a comment\nCONFIG_A=y\r\n# CONFIG_B is not set\nCONFIG_C="x y"\n  CONFIG_D=0x10  \nbogus line\nCONFIG_A=m\n\n');
    expect([...p.values]).toEqual([
      ['B', null],
      ['C', '"x y"'],
      ['D', '0x10'],
      ['A', 'm'],
    ]);
    expect(p.invalid).toEqual(['bogus line']);
  });

  it('never throws on garbage', () => {
    const garbage = ['CONFIG_=y', 'CONFIG_A', '=y', '#', 'CONFIG_A=' + 'x'.repeat(100_000), '\u0000CONFIG_X=y', 'x'.repeat(5000)];
    const p = parseKconfig(garbage);
    expect([...p.values.keys()]).toEqual([]);
    expect(p.invalid).toHaveLength(6);
    expect(parseKconfig([undefined as unknown as string, 'CONFIG_Y=y']).values.get('Y')).toBe('y');
  });
});

describe('checkKconfig', () => {
  it('lists what olddefconfig dropped or changed, in request order', () => {
    expect(checkKconfig(REQUESTED, X86_CONFIG_NO_MIGRATION)).toEqual([
      { option: 'CONFIG_MEMORY_HOTREMOVE', requested: 'y', actual: 'absent' },
      { option: 'CONFIG_ZONE_DEVICE', requested: 'y', actual: 'absent' },
      { option: 'CONFIG_DEVICE_PRIVATE', requested: 'y', actual: 'absent' },
      { option: 'CONFIG_DEV_DAX_PMEM', requested: 'y', actual: 'm' },
    ]);
  });

  it('takes fragment text, `not set`, numbers, hex and strings', () => {
    const config = 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_N=0x10\nCONFIG_H=0x1f\nCONFIG_I=-5\nCONFIG_S="a\\"b"\nCONFIG_M=m\n';
    const fragment = [
      'CONFIG_A=y',
      'CONFIG_B=y',
      'CONFIG_H=0X1F', // same hex value
      'CONFIG_I=-5',
      'CONFIG_S="a\\"b"',
      'CONFIG_M=y',
      '# CONFIG_A is not set', // a later request wins
      'CONFIG_Z=n', // absent is n
      'CONFIG_N=16', // 16 is not 0x10 as Kconfig writes it: a hex option asked in decimal is reported
      'CONFIG_ABSENT="x"',
    ].join('\n');
    expect(checkKconfig(fragment, config)).toEqual([
      { option: 'CONFIG_B', requested: 'y', actual: 'not set' },
      { option: 'CONFIG_M', requested: 'y', actual: 'm' },
      { option: 'CONFIG_A', requested: 'not set', actual: 'y' },
      { option: 'CONFIG_N', requested: '16', actual: '0x10' },
      { option: 'CONFIG_ABSENT', requested: '"x"', actual: 'absent' },
    ]);
  });

  it('nothing to report when everything was kept', () => {
    expect(checkKconfig(['CONFIG_NR_CPUS=64', 'CONFIG_64BIT=y', 'CONFIG_KASAN=n', '# CONFIG_MIGRATION is not set'], X86_CONFIG_NO_MIGRATION)).toEqual([]);
    expect(checkKconfig([], '')).toEqual([]);
  });
});

describe('kconfigDepends', () => {
  it('ZONE_DEVICE in 6.1: its four depends on lines', () => {
    expect(kconfigDepends(MM_KCONFIG_6_1, 'CONFIG_ZONE_DEVICE')).toEqual({
      own: ['MEMORY_HOTPLUG', 'MEMORY_HOTREMOVE', 'SPARSEMEM_VMEMMAP', 'ARCH_HAS_PTE_DEVMAP'],
      inherited: [],
      promptIf: [],
      expr: 'MEMORY_HOTPLUG && MEMORY_HOTREMOVE && SPARSEMEM_VMEMMAP && ARCH_HAS_PTE_DEVMAP',
      hasPrompt: true,
    });
  });

  it('MEMORY_HOTREMOVE: with the enclosing "if MEMORY_HOTPLUG"', () => {
    expect(kconfigDepends(MM_KCONFIG_6_1, 'MEMORY_HOTREMOVE')).toEqual({
      own: ['MEMORY_HOTPLUG && ARCH_ENABLE_MEMORY_HOTREMOVE', 'MIGRATION'],
      inherited: ['MEMORY_HOTPLUG'],
      promptIf: [],
      expr: 'MEMORY_HOTPLUG && MEMORY_HOTPLUG && ARCH_ENABLE_MEMORY_HOTREMOVE && MIGRATION',
      hasPrompt: true,
    });
  });

  it('a promptless symbol, a symbol after endif, unknown symbols', () => {
    expect(kconfigDepends(MM_KCONFIG_6_1, 'ARCH_ENABLE_MEMORY_HOTREMOVE')).toEqual({ own: [], inherited: [], promptIf: [], expr: '', hasPrompt: false });
    expect(kconfigDepends(MM_KCONFIG_6_1, 'MHP_MEMMAP_ON_MEMORY')?.expr).toBe(
      'MEMORY_HOTPLUG && MEMORY_HOTPLUG && SPARSEMEM_VMEMMAP && ARCH_MHP_MEMMAP_ON_MEMORY_ENABLE',
    );
    expect(kconfigDepends(MM_KCONFIG_6_1, 'MEMORY_HOTPLUG')?.inherited).toEqual([]);
    expect(kconfigDepends(MM_KCONFIG_6_1, 'NOPE')).toBeNull();
    expect(kconfigDepends('', 'X')).toBeNull();
  });

  it('menus, choices, prompt conditions, continuations, help text that looks like Kconfig, several definitions', () => {
    const text = [
      'menu "Memory"',
      '\tdepends on MMU || NOMMU_OK',
      '',
      'config A',
      '\tbool "A" if EXPERT',
      '\tdepends on B && \\',
      '\t\t   C # why',
      '\thelp',
      '\t  depends on NOT_THIS',
      '\t  if NOR_THIS',
      '',
      '\t  endmenu',
      'endmenu',
      'config A',
      '\tbool',
      '\tdepends on D',
      'choice',
      '\tprompt "pick"',
      '\tdepends on E',
      'config F',
      '\tbool "F"',
      'endchoice',
      'config G',
      '\tbool "G"',
    ].join('\n');
    expect(kconfigDepends(text, 'A')).toEqual({
      own: ['B && C', 'D'],
      inherited: [],
      promptIf: ['EXPERT'],
      // two definitions: or-ed (&& binds tighter, no parentheses needed)
      expr: '(MMU || NOMMU_OK) && B && C && EXPERT || D',
      hasPrompt: true,
    });
    expect(kconfigDepends(text, 'F')?.expr).toBe('E');
    expect(kconfigDepends(text, 'G')?.expr).toBe('');
  });
});

describe('explainDropped', () => {
  it('the example: one dependency off', () => {
    expect(explainDropped('CONFIG_ZONE_DEVICE=y', 'MEMORY_HOTREMOVE && SPARSEMEM_VMEMMAP', X86_CONFIG_NO_MIGRATION)).toBe(
      'CONFIG_ZONE_DEVICE=y was dropped: it depends on MEMORY_HOTREMOVE [=n] && SPARSEMEM_VMEMMAP [=y]; MEMORY_HOTREMOVE is n',
    );
  });

  it('ZONE_DEVICE with 6.1\'s Kconfig text, and MEMORY_HOTREMOVE behind it', () => {
    const zd = kconfigDepends(MM_KCONFIG_6_1, 'ZONE_DEVICE')!.expr;
    expect(explainDropped('CONFIG_ZONE_DEVICE=y', zd, X86_CONFIG_NO_MIGRATION)).toBe(
      'CONFIG_ZONE_DEVICE=y was dropped: it depends on MEMORY_HOTPLUG [=y] && MEMORY_HOTREMOVE [=n] && SPARSEMEM_VMEMMAP [=y] && ARCH_HAS_PTE_DEVMAP [=y]; MEMORY_HOTREMOVE is n',
    );
    const mhr = kconfigDepends(MM_KCONFIG_6_1, 'MEMORY_HOTREMOVE')!.expr;
    expect(explainDropped('MEMORY_HOTREMOVE', mhr, X86_CONFIG_NO_MIGRATION)).toBe(
      'CONFIG_MEMORY_HOTREMOVE=y was dropped: it depends on MEMORY_HOTPLUG [=y] && MEMORY_HOTPLUG [=y] && ARCH_ENABLE_MEMORY_HOTREMOVE [=y] && MIGRATION [=n]; MIGRATION is n',
    );
  });

  it('takes the depends on lines as written in Kconfig', () => {
    const lines = '\tdepends on MEMORY_HOTPLUG\n\tdepends on MEMORY_HOTREMOVE # needs migration\n\tdepends on ARCH_A || ARCH_B\n';
    expect(explainDropped('CONFIG_ZONE_DEVICE=y', lines, 'CONFIG_MEMORY_HOTPLUG=y\nCONFIG_ARCH_B=y\n')).toBe(
      'CONFIG_ZONE_DEVICE=y was dropped: it depends on MEMORY_HOTPLUG [=y] && MEMORY_HOTREMOVE [=n] && (ARCH_A [=n] || ARCH_B [=y]); MEMORY_HOTREMOVE is n',
    );
    expect(explainDropped('CONFIG_X=y', ['depends on A', 'depends on B'], 'CONFIG_B=y')).toBe(
      'CONFIG_X=y was dropped: it depends on A [=n] && B [=y]; A is n',
    );
  });

  it('A && (B || !C): every symbol that holds it down', () => {
    const explain = (config: string) => explainDropped('CONFIG_X=y', 'A && (B || !C)', config);
    expect(explain('CONFIG_A=y\nCONFIG_C=y')).toBe('CONFIG_X=y was dropped: it depends on A [=y] && (B [=n] || !C [=y]); B is n, C is y');
    expect(explain('CONFIG_C=y')).toBe('CONFIG_X=y was dropped: it depends on A [=n] && (B [=n] || !C [=y]); A is n, B is n, C is y');
    expect(explain('# CONFIG_A is not set')).toBe('CONFIG_X=y was dropped: it depends on A [=n] && (B [=n] || !C [=n]); A is n');
  });

  it('tristate limits: y asked, m allowed', () => {
    expect(explainDropped('CONFIG_DEV_DAX_PMEM=y', 'LIBNVDIMM && NVDIMM_DAX && DEV_DAX', X86_CONFIG_NO_MIGRATION)).toBe(
      'CONFIG_DEV_DAX_PMEM=y became m: it depends on LIBNVDIMM [=m] && NVDIMM_DAX [=y] && DEV_DAX [=y]; LIBNVDIMM is m, so it can be m at most',
    );
    expect(explainDropped('CONFIG_X=y', 'A || B', 'CONFIG_A=m\nCONFIG_X=m')).toBe(
      'CONFIG_X=y became m: it depends on A [=m] || B [=n]; A is m, B is n, so it can be m at most',
    );
  });

  it('comparisons and numbers', () => {
    expect(explainDropped('CONFIG_BIG=y', 'NR_CPUS > 64 && 64BIT', X86_CONFIG_NO_MIGRATION)).toBe(
      'CONFIG_BIG=y was dropped: it depends on NR_CPUS [=64] > 64 && 64BIT [=y]; NR_CPUS is 64',
    );
    expect(explainDropped('CONFIG_K=m', '!(CC_VERSION_TEXT = "gcc (Debian 12.2.0-14) 12.2.0")', X86_CONFIG_NO_MIGRATION)).toBe(
      'CONFIG_K=m was dropped: it depends on !(CC_VERSION_TEXT [=gcc (Debian 12.2.0-14) 12.2.0] = "gcc (Debian 12.2.0-14) 12.2.0"); CC_VERSION_TEXT is gcc (Debian 12.2.0-14) 12.2.0',
    );
  });

  it('when the dependencies do not explain it', () => {
    expect(explainDropped('CONFIG_NR_CPUS=64', 'SMP', X86_CONFIG_NO_MIGRATION)).toBe('CONFIG_NR_CPUS=64 is set as requested');
    expect(explainDropped('CONFIG_Y=y', 'MEMORY_HOTPLUG', X86_CONFIG_NO_MIGRATION)).toBe(
      'CONFIG_Y=y was dropped though its dependencies are met: it depends on MEMORY_HOTPLUG [=y], which is y; look for a select, a choice, a range, or a missing prompt',
    );
    expect(explainDropped('CONFIG_ARCH_ENABLE_MEMORY_HOTREMOVE=n', '', X86_CONFIG_NO_MIGRATION)).toBe(
      'CONFIG_ARCH_ENABLE_MEMORY_HOTREMOVE=n was not honoured: it is y, forced by a select or a default rather than by its dependencies',
    );
    expect(explainDropped('CONFIG_Z=y', '', '')).toBe(
      "CONFIG_Z=y was dropped, though it depends on nothing: it may have no prompt, or be in a choice or under a menu's or if's condition",
    );
    expect(explainDropped('CONFIG_Z=y', 'n', '')).toBe('CONFIG_Z=y was dropped: it depends on n, which is n');
  });

  it('unreadable expressions are reported, not thrown', () => {
    expect(explainDropped('CONFIG_Z=y', 'A && (B', '')).toBe("CONFIG_Z=y was dropped: it depends on A && (B (which could not be read: expected ')' at the end)");
    expect(explainDropped('CONFIG_Z=y', 'A &&& B', '')).toBe("CONFIG_Z=y was dropped: it depends on A &&& B (which could not be read: unexpected '& B')");
    const deep = '('.repeat(5000) + 'A' + ')'.repeat(5000);
    expect(explainDropped('CONFIG_Z=y', deep, '')).toMatch(/^CONFIG_Z=y was dropped: it depends on \(+.*\(which could not be read: (?:nested too deeply|longer than 8192 characters)/);
    expect(explainDropped('garbage = = =', '§', '')).toBe("CONFIG_garbage== = was dropped: it depends on § (which could not be read: unexpected '§')");
  });
});

describe('hostile Kconfig input', () => {
  const TOKENS = ['config ', 'menuconfig ', 'if ', 'endif', 'menu "m"', 'endmenu', 'choice', 'endchoice', 'depends on ', 'help', '---help---',
    'bool "x"', ' if ', 'A', 'B', '&&', '||', '!', '(', ')', '#', '"', '\\', '\n', '\t', '  ', 'CONFIG_A=y', '# CONFIG_B is not set', '=', '[=y]'];
  const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 300 }).map((p) => p.join(''));

  it('never throws, stays fast', () => {
    fc.assert(
      fc.property(soup, soup, soup, (kconfig, config, requested) => {
        const t0 = performance.now();
        const deps = kconfigDepends(kconfig, 'A');
        checkKconfig(requested, config);
        const s = explainDropped(requested.split('\n')[0] ?? '', deps?.expr ?? config, config);
        if (typeof s !== 'string' || s === '') throw new Error('no explanation');
        if (performance.now() - t0 > 500) throw new Error('slow');
      }),
      { seed: 11, numRuns: 2000 },
    );
  });

  it('deep if nesting, endless continuations, huge lines', () => {
    const deep = 'if A\n'.repeat(10_000) + 'config A\n\tbool "a"\n\tdepends on B\n' + 'endif\n'.repeat(10_000);
    expect(kconfigDepends(deep, 'A')?.inherited).toHaveLength(64);
    const cont = 'config A\n\tdepends on B \\\n' + '&& C \\\n'.repeat(50_000) + '&& D\n';
    expect(kconfigDepends(cont, 'A')?.own).toEqual(['B' + ' && C'.repeat(50_000) + ' && D']);
    expect(kconfigDepends('config A\n\tdepends on ' + 'X'.repeat(1_000_000), 'A')?.own[0]).toHaveLength(1_000_000);
  });
});
