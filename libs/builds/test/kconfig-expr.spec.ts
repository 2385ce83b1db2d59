import fc from 'fast-check';
import { evaluateKconfigExpr, parseKconfig, parseKconfigExpr, parseUnmetDependencies } from '@pfnlab/builds';
import { block } from './support';

const values = (text: string) => parseKconfig(text).values;

describe('evaluateKconfigExpr: tri-state semantics', () => {
  const cfg = values('CONFIG_Y=y\nCONFIG_M=m\n# CONFIG_N is not set\nCONFIG_NUM=64\nCONFIG_HEX=0x20\nCONFIG_STR="abc"\n');
  const value = (e: string) => {
    const r = evaluateKconfigExpr(e, cfg);
    if ('error' in r) throw new Error(r.error);
    return r.value;
  };

  it.each([
    ['Y', 'y'],
    ['M', 'm'],
    ['N', 'n'],
    ['ABSENT', 'n'],
    ['!Y', 'n'],
    ['!M', 'm'],
    ['!N', 'y'],
    ['Y && M', 'm'],
    ['Y || M', 'y'],
    ['M || N', 'm'],
    ['M && !M', 'm'],
    ['Y && (N || !M)', 'm'],
    ['Y && (N || !ABSENT)', 'y'],
    ['!(Y && N)', 'y'],
    ['N || N || Y', 'y'],
    ['Y && Y && M && Y', 'm'],
    ['y', 'y'],
    ['m', 'm'],
    ['n', 'n'],
    ['M = m', 'y'],
    ['M = y', 'n'],
    ['M != y', 'y'],
    ['N = n', 'y'],
    ['ABSENT = n', 'y'],
    ['M < Y', 'y'],
    ['N < M', 'y'],
    ['NUM > 8', 'y'],
    ['NUM >= 64', 'y'],
    ['NUM < 64', 'n'],
    ['NUM <= 100', 'y'],
    ['HEX = 32', 'y'],
    ['HEX > 0x1f', 'y'],
    ['STR = "abc"', 'y'],
    ["STR = 'abc'", 'y'],
    ['STR != "abd"', 'y'],
    ['STR < "abd"', 'y'],
    ['!STR = "abc"', 'n'], // ! binds the comparison: !(STR = "abc")
    ['Y && STR = "abc"', 'y'],
    ['NUM', 'n'], // not a tristate: n in a boolean context
  ])('%s is %s', (expr, expected) => {
    expect(value(expr)).toBe(expected);
  });

  it('prints as Kconfig does, values included, parentheses only where needed', () => {
    const r = evaluateKconfigExpr('((Y)) && ((N || !(M)) || (NUM > 8)) && !(STR = "a b")', cfg);
    expect(r).toEqual({
      value: 'y',
      text: 'Y [=y] && (N [=n] || !M [=m] || NUM [=64] > 8) && !(STR [=abc] = "a b")',
      off: [],
    });
  });

  it('names what holds the expression down, for y or for m', () => {
    const off = (e: string, want: 'y' | 'm' = 'y') => {
      const r = evaluateKconfigExpr(e, cfg, want);
      return 'error' in r ? r.error : r.off.map((o) => `${o.name}=${o.value}`);
    };
    expect(off('Y && (N || !M)')).toEqual(['N=n', 'M=m']);
    expect(off('Y && (N || !M)', 'm')).toEqual([]);
    expect(off('N && ABSENT && N')).toEqual(['N=n', 'ABSENT=n']);
    expect(off('!(Y || M)', 'm')).toEqual(['Y=y']);
    expect(off('!(Y && M)', 'y')).toEqual(['Y=y', 'M=m']);
    expect(off('!!N')).toEqual(['N=n']);
    expect(off('NUM < 8 && Y')).toEqual(['NUM=64']);
    expect(off('Y')).toEqual([]);
  });

  it('reads the values Kconfig printed in a warning before the .config', () => {
    const r = evaluateKconfigExpr('MEMORY_HOTPLUG [=y] && MIGRATION [=n] && !UML', new Map([['MIGRATION', 'y']]));
    expect(r).toEqual({ value: 'n', text: 'MEMORY_HOTPLUG [=y] && MIGRATION [=n] && !UML [=n]', off: [{ name: 'MIGRATION', value: 'n' }] });
  });

  it('takes a lookup function', () => {
    expect(evaluateKconfigExpr('A && B', (n) => (n === 'A' ? 'y' : 'm'))).toMatchObject({ value: 'm', off: [{ name: 'B', value: 'm' }] });
  });
});

describe('parseKconfigExpr: errors, never exceptions', () => {
  it.each([
    ['', 'empty expression'],
    ['   ', 'empty expression'],
    ['A &&', 'expected a symbol at the end'],
    ['A B', "unexpected token at 'B'"],
    ['(A', "expected ')' at the end"],
    ['A)', "unexpected token at ')'"],
    ['A = ', 'expected a symbol at the end'],
    ['A = (B)', "expected a symbol at '('"],
    ['&& A', "expected a symbol at '&&'"],
    ['[=y]', "a value '[=...]' without a symbol"],
    ['A ? B', "unexpected '? B'"],
    ['"unterminated', `unexpected '"unterminated'`],
    ['('.repeat(150) + 'A' + ')'.repeat(150), "nested too deeply at '('"],
    ['!'.repeat(150) + 'A', "nested too deeply at '!'"],
    ['A'.repeat(9000), 'longer than 8192 characters'],
  ])('%j', (text, error) => {
    expect(parseKconfigExpr(text)).toEqual({ error });
  });

  it('long flat chains up to the length cap: evaluated, printed and blamed quickly', () => {
    for (const op of ['&&', '||']) {
      const text = Array.from({ length: 2730 }, () => 'A').join(op);
      expect(text.length).toBeLessThanOrEqual(8192);
      const t0 = performance.now();
      const r = evaluateKconfigExpr(text, new Map());
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(r).toEqual({ value: 'n', text: Array.from({ length: 2730 }, () => 'A [=n]').join(` ${op} `), off: [{ name: 'A', value: 'n' }] });
    }
  });

  it('random text: no exception, bounded time', () => {
    const tokens = ['A', 'B_1', '64BIT', 'y', 'm', 'n', '"s"', "'t'", '&&', '||', '!', '(', ')', '=', '!=', '<', '<=', '>', '>=', ' ', '[=y]', '[=', ']', '\\', '"', '§', '-1', '0x1f'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 300 }), (parts) => {
        const t0 = performance.now();
        const r = evaluateKconfigExpr(parts.join(' '), new Map([['A', 'y']]));
        if (performance.now() - t0 > 500) throw new Error('slow');
        if (!('error' in r) && !['y', 'm', 'n'].includes(r.value)) throw new Error('bad value');
      }),
      { seed: 7, numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        evaluateKconfigExpr(s, new Map());
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});

describe('parseUnmetDependencies', () => {
  const OLDDEFCONFIG = block(`
    #
    # configuration written to .config
    #

    WARNING: unmet direct dependencies detected for MEMORY_HOTREMOVE
      Depends on [n]: MEMORY_HOTPLUG [=y] && ARCH_ENABLE_MEMORY_HOTREMOVE [=y] && MIGRATION [=n]
      Selected by [y]:
      - ZONE_DEVICE_TEST [=y] && RUNTIME_TESTING_MENU [=y]

    WARNING: unmet direct dependencies detected for SND_SOC_WM8731_I2C
      Depends on [n]: SOUND [=y] && !UML && SND [=y] && SND_SOC [=y] && I2C [=n]
      Selected by [y]:
      - SND_SOC_DB1200 [=y] && SOUND [=y] && !UML && SND [=y] && SND_SOC [=y] && SND_SOC_AU1XPSC [=y]
      Selected by [m]:
      - SND_SOC_X [=m] && SOUND [=y]
      - SND_SOC_Z [=m] && (I2C [=n] || SPI [=m])

    WARNING: unmet direct dependencies detected for FOO_M
      Depends on [m]: BAR [=m] && BAZ [=y]
      Selected by [y]:
      - QUX [=y]
    make[1]: Leaving directory '/build/linux'
  `);

  it('reads each warning, its dependencies, what is off, and who selects it', () => {
    expect(parseUnmetDependencies(OLDDEFCONFIG)).toEqual([
      {
        symbol: 'MEMORY_HOTREMOVE',
        dependsOn: 'MEMORY_HOTPLUG [=y] && ARCH_ENABLE_MEMORY_HOTREMOVE [=y] && MIGRATION [=n]',
        dependsValue: 'n',
        off: [{ name: 'MIGRATION', value: 'n' }],
        selectedBy: [{ symbol: 'ZONE_DEVICE_TEST', level: 'y', expr: 'ZONE_DEVICE_TEST [=y] && RUNTIME_TESTING_MENU [=y]' }],
        logLine: 5,
      },
      {
        symbol: 'SND_SOC_WM8731_I2C',
        dependsOn: 'SOUND [=y] && !UML && SND [=y] && SND_SOC [=y] && I2C [=n]',
        dependsValue: 'n',
        off: [{ name: 'I2C', value: 'n' }],
        selectedBy: [
          { symbol: 'SND_SOC_DB1200', level: 'y', expr: 'SND_SOC_DB1200 [=y] && SOUND [=y] && !UML && SND [=y] && SND_SOC [=y] && SND_SOC_AU1XPSC [=y]' },
          { symbol: 'SND_SOC_X', level: 'm', expr: 'SND_SOC_X [=m] && SOUND [=y]' },
          { symbol: 'SND_SOC_Z', level: 'm', expr: 'SND_SOC_Z [=m] && (I2C [=n] || SPI [=m])' },
        ],
        logLine: 10,
      },
      {
        symbol: 'FOO_M',
        dependsOn: 'BAR [=m] && BAZ [=y]',
        dependsValue: 'm',
        off: [{ name: 'BAR', value: 'm' }],
        selectedBy: [{ symbol: 'QUX', level: 'y', expr: 'QUX [=y]' }],
        logLine: 18,
      },
    ]);
  });

  it('the format before 4.16, values from the .config', () => {
    const text = 'warning: (SND_SOC_DB1200 || SND_SOC_DB1300) selects SND_SOC_WM8731 which has unmet direct dependencies (SOUND && !M68K && SND && I2C)\n';
    const config = values('CONFIG_SOUND=y\nCONFIG_SND=y\n# CONFIG_I2C is not set\n');
    const expected = {
      symbol: 'SND_SOC_WM8731',
      dependsOn: 'SOUND && !M68K && SND && I2C',
      dependsValue: 'n',
      off: [{ name: 'I2C', value: 'n' }],
      selectedBy: [
        { symbol: 'SND_SOC_DB1200', level: null, expr: 'SND_SOC_DB1200' },
        { symbol: 'SND_SOC_DB1300', level: null, expr: 'SND_SOC_DB1300' },
      ],
      logLine: 1,
    };
    expect(parseUnmetDependencies(text, config)).toEqual([expected]);
    expect(parseUnmetDependencies(text)).toEqual([{ ...expected, off: [] }]);
  });

  it('ignores broken blocks and garbage', () => {
    expect(parseUnmetDependencies('WARNING: unmet direct dependencies detected for X\nsomething else\n')).toEqual([]);
    expect(parseUnmetDependencies('WARNING: unmet direct dependencies detected for X\n  Depends on [n]: (((\n')).toEqual([
      { symbol: 'X', dependsOn: '(((', dependsValue: 'n', off: [], selectedBy: [], logLine: 1 },
    ]);
    fc.assert(
      fc.property(fc.array(fc.constantFrom('WARNING: unmet direct dependencies detected for X', '  Depends on [n]: A [=n]', '  Selected by [y]:', '  - B [=y]', 'x', ''), { maxLength: 50 }), (lines) => {
        for (const w of parseUnmetDependencies(lines.join('\n'))) if (w.symbol !== 'X') throw new Error('bad');
      }),
      { seed: 3, numRuns: 500 },
    );
  });
});
