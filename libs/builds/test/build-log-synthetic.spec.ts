import { analyzeBuildLog } from '@pfnlab/builds';
import { block } from './support';

/** Short synthetic logs per kind of failure, written as the tools print them. */

const titles = (log: string) => analyzeBuildLog(log).errors.map((e) => [e.kind, e.title]);

describe('clean logs', () => {
  it('a successful build: ok, no title, nothing found', () => {
    const log = block(`
      make[1]: Entering directory '/build/linux'
        SYNC    include/config/auto.conf
        CC      mm/memory_hotplug.o
        CC [M]  drivers/dax/pmem.o
        AR      mm/built-in.a
        LD      vmlinux.o
        MODPOST vmlinux.symvers
        LD      .tmp_vmlinux.kallsyms1
        KSYMS   .tmp_vmlinux.kallsyms1.S
        BTF     .btf.vmlinux.bin.o
        LD      vmlinux
        SYSMAP  System.map
        Kernel: arch/x86/boot/bzImage is ready  (#1)
      make[1]: Leaving directory '/build/linux'
    `);
    expect(analyzeBuildLog(log)).toEqual({ status: 'ok', title: null, errors: [], warnings: [], lines: 14 });
  });

  it('an empty log', () => {
    expect(analyzeBuildLog('')).toEqual({ status: 'ok', title: null, errors: [], warnings: [], lines: 0 });
  });

  it('warnings alone do not fail a build; they are counted once per place', () => {
    const warning = "./include/linux/pgtable.h:150:9: warning: unused variable ‘x’ [-Wunused-variable]\n  150 |   int x;\n      |       ^\n";
    const log =
      'In file included from mm/a.c:3:\n' + warning +
      'In file included from mm/b.c:3:\n' + warning +
      'In file included from mm/c.c:7:\n' + warning +
      "mm/a.c:20:1: warning: no previous prototype for ‘f’ [-Wmissing-prototypes]\n" +
      "drivers/x.c:9: warning: comparison is always true\n";
    expect(analyzeBuildLog(log)).toEqual({
      status: 'ok',
      title: null,
      errors: [],
      warnings: [
        { kind: 'compile', file: 'include/linux/pgtable.h', line: 150, column: 9, message: "unused variable 'x'", flag: '-Wunused-variable', logLine: 2, count: 3 },
        { kind: 'compile', file: 'mm/a.c', line: 20, column: 1, message: "no previous prototype for 'f'", flag: '-Wmissing-prototypes', logLine: 13, count: 1 },
        { kind: 'compile', file: 'drivers/x.c', line: 9, message: 'comparison is always true', logLine: 14, count: 1 },
      ],
      lines: 14,
    });
  });
});

describe('compile errors', () => {
  it('gcc 13 with colours, URL links, an include chain, -Werror and notes', () => {
    const log =
      '  CC      mm/sparse.o\n' +
      'mm/sparse.c: In function \x1b[01m\x1b[K‘sparse_remove_section’\x1b[m\x1b[K:\n' +
      '\x1b[01m\x1b[Kmm/sparse.c:901:9:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: \x1b[m\x1b[Kimplicit declaration of function ' +
      '‘\x1b[01m\x1b[Kvmemmap_free_foo\x1b[m\x1b[K’ [\x1b[01;31m\x1b[K\x1b]8;;https://gcc.gnu.org/onlinedocs/gcc/Warning-Options.html\x07' +
      '-Werror=implicit-function-declaration\x1b]8;;\x07\x1b[m\x1b[K]\n' +
      '  901 |         vmemmap_free_foo(start, end, altmap);\n' +
      '      |         \x1b[01;31m\x1b[K^~~~~~~~~~~~~~~~\x1b[m\x1b[K\n' +
      'mm/sparse.c:901:9: note: each undeclared identifier is reported only once\n' +
      'cc1: some warnings being treated as errors\n' +
      'make[4]: *** [scripts/Makefile.build:243: mm/sparse.o] Error 1\n' +
      'make[3]: *** [scripts/Makefile.build:480: mm] Error 2\n' +
      'make[2]: *** Waiting for unfinished jobs....\n' +
      'make: *** [Makefile:1913: .] Error 2\n';
    const r = analyzeBuildLog(log);
    expect(r.status).toBe('failed');
    expect(r.title).toBe("mm/sparse.c:901: error: implicit declaration of function 'vmemmap_free_foo'");
    expect(r.errors[0]).toEqual({
      kind: 'compile',
      title: "mm/sparse.c:901: error: implicit declaration of function 'vmemmap_free_foo'",
      file: 'mm/sparse.c',
      line: 901,
      column: 9,
      message: "implicit declaration of function 'vmemmap_free_foo'",
      flag: '-Werror=implicit-function-declaration',
      function: 'sparse_remove_section',
      symbol: 'vmemmap_free_foo',
      text: [
        'mm/sparse.c: In function ‘sparse_remove_section’:',
        'mm/sparse.c:901:9: error: implicit declaration of function ‘vmemmap_free_foo’ [-Werror=implicit-function-declaration]',
        '  901 |         vmemmap_free_foo(start, end, altmap);',
        '      |         ^~~~~~~~~~~~~~~~',
        'mm/sparse.c:901:9: note: each undeclared identifier is reported only once',
      ].join('\n'),
      logLine: 3,
      count: 1,
    });
    expect(r.errors.slice(1).map((e) => [e.kind, e.title, e.logLine])).toEqual([
      ['make', 'make: *** [scripts/Makefile.build:243: mm/sparse.o] Error 1', 8],
      ['make', 'make: *** [scripts/Makefile.build:480: mm] Error 2', 9],
      ['make', 'make: *** [Makefile:1913: .] Error 2', 11],
    ]);
  });

  it('clang: flag after -Werror, an unindented source line with its caret', () => {
    const log = block(`
      mm/sparse.c:12:9: error: call to undeclared function 'foo'; ISO C99 and later do not support implicit function declarations [-Wimplicit-function-declaration]
      int x = foo();
              ^
      mm/sparse.c:20:7: error: unused variable 'y' [-Werror,-Wunused-variable]
        int y = 0;
            ^
      2 errors generated.
    `);
    const r = analyzeBuildLog(log);
    expect(r.errors.map((e) => [e.title, e.flag, e.text.split('\n').length])).toEqual([
      ["mm/sparse.c:12: error: call to undeclared function 'foo'; ISO C99 and later do not support implicit function declarations", '-Wimplicit-function-declaration', 3],
      ["mm/sparse.c:20: error: unused variable 'y'", '-Wunused-variable', 3],
    ]);
  });

  it('fatal errors, internal compiler errors and driver errors', () => {
    expect(titles("mm/x.c:3:10: fatal error: linux/nope.h: No such file or directory\ncompilation terminated.\n")).toEqual([
      ['compile', 'mm/x.c:3: fatal error: linux/nope.h: No such file or directory'],
    ]);
    expect(titles('mm/x.c:40:1: internal compiler error: Segmentation fault\n')).toEqual([
      ['compile', 'mm/x.c:40: internal compiler error: Segmentation fault'],
    ]);
    expect(titles("cc1: error: unrecognized command-line option ‘-mfoo’\n")).toEqual([['compile', "cc1: error: unrecognized command-line option '-mfoo'"]]);
    expect(titles('aarch64-linux-gnu-gcc-12: fatal error: Killed signal terminated program cc1\n')).toEqual([
      ['compile', 'aarch64-linux-gnu-gcc-12: fatal error: Killed signal terminated program cc1'],
    ]);
    expect(titles("clang: error: unknown argument: '-mfoo'\n")).toEqual([['compile', "clang: error: unknown argument: '-mfoo'"]]);
  });

  it('make -j: contexts per file, the first error is the title', () => {
    const log = block(`
        CC      mm/a.o
        CC      mm/b.o
      mm/a.c: In function ‘fa’:
      mm/b.c: In function ‘fb’:
      make[2]: *** [scripts/Makefile.build:243: mm/c.o] Error 1
      mm/a.c:10:3: warning: unused variable ‘u’ [-Wunused-variable]
      mm/b.c:20:5: error: ‘undeclared_b’ undeclared (first use in this function)
        CC      mm/d.o
      mm/a.c:12:3: error: too few arguments to function ‘g’
      mm/b.c: At top level:
      mm/b.c:30:1: error: expected ‘;’ before ‘}’ token
    `);
    const r = analyzeBuildLog(log);
    expect(r.title).toBe("mm/b.c:20: error: 'undeclared_b' undeclared (first use in this function)");
    expect(r.errors.map((e) => [e.title, e.function ?? null, e.text])).toEqual([
      ['make: *** [scripts/Makefile.build:243: mm/c.o] Error 1', null, 'make[2]: *** [scripts/Makefile.build:243: mm/c.o] Error 1'],
      [
        "mm/b.c:20: error: 'undeclared_b' undeclared (first use in this function)",
        'fb',
        'mm/b.c: In function ‘fb’:\nmm/b.c:20:5: error: ‘undeclared_b’ undeclared (first use in this function)',
      ],
      ["mm/a.c:12: error: too few arguments to function 'g'", 'fa', 'mm/a.c: In function ‘fa’:\nmm/a.c:12:3: error: too few arguments to function ‘g’'],
      ["mm/b.c:30: error: expected ';' before '}' token", null, 'mm/b.c: At top level:\nmm/b.c:30:1: error: expected ‘;’ before ‘}’ token'],
    ]);
    expect(r.warnings.map((w) => [w.file, w.line, w.flag])).toEqual([['mm/a.c', 10, '-Wunused-variable']]);
  });

  it('CRLF and lone CR line ends', () => {
    expect(analyzeBuildLog('  CC x.o\r\nmm/x.c:1:2: error: boom\r\n').errors.map((e) => [e.title, e.logLine])).toEqual([['mm/x.c:1: error: boom', 2]]);
    expect(analyzeBuildLog('  CC x.o\rmm/x.c:1:2: error: boom\r').errors.map((e) => [e.title, e.logLine])).toEqual([['mm/x.c:1: error: boom', 2]]);
  });
});

describe('link errors', () => {
  it('binutils 2.3x: "in function" once per function, for code of that object only', () => {
    const log = block(`
      ld: mm/sparse.o: in function \`section_deactivate':
      sparse.c:(.text+0x5c): undefined reference to \`vmemmap_free'
      ld: sparse.c:(.text+0x80): undefined reference to \`vmemmap_kfree'
      ld: mm/sparse.o:(.bss+0x0): multiple definition of \`foo'; mm/memory.o:(.bss+0x0): first defined here
      ld: final link failed: bad value
    `);
    expect(analyzeBuildLog(log).errors.map((e) => [e.title, e.function ?? null, e.symbol ?? null, e.file ?? null])).toEqual([
      ["undefined reference to 'vmemmap_free'", 'section_deactivate', 'vmemmap_free', 'sparse.c'],
      ["undefined reference to 'vmemmap_kfree'", 'section_deactivate', 'vmemmap_kfree', 'sparse.c'],
      ["multiple definition of 'foo'", null, 'foo', 'mm/sparse.o'],
      ['final link failed: bad value', null, null, null],
    ]);
  });

  it('ld.lld: undefined symbol, titled like GNU ld, with its >>> notes', () => {
    const log = block(`
      ld.lld: error: undefined symbol: vmemmap_free
      >>> referenced by sparse.c:123 (mm/sparse.c:123)
      >>>               mm/sparse.o:(sparse_remove_section) in archive vmlinux.a
      make[2]: *** [scripts/Makefile.vmlinux:35: vmlinux] Error 1
    `);
    const r = analyzeBuildLog(log);
    expect(r.title).toBe("undefined reference to 'vmemmap_free'");
    expect(r.errors[0]).toEqual({
      kind: 'link',
      title: "undefined reference to 'vmemmap_free'",
      message: "undefined reference to 'vmemmap_free'",
      symbol: 'vmemmap_free',
      text: log.split('\n').slice(0, 3).join('\n'),
      logLine: 1,
      count: 1,
    });
  });

  it('a cross linker, and ld warnings that are not failures', () => {
    expect(titles("s390x-linux-gnu-ld: cannot find -lgcc\nld: warning: x.o: missing .note.GNU-stack section implies executable stack\n")).toEqual([
      ['link', 'cannot find -lgcc'],
    ]);
    expect(analyzeBuildLog('ld: warning: creating DT_TEXTREL in a PIE\n').status).toBe('ok');
  });

  it('objtool on vmlinux.o', () => {
    expect(titles('vmlinux.o: error: objtool: noinstr violation\n')).toEqual([['link', 'vmlinux.o: error: objtool: noinstr violation']]);
  });
});

describe('modpost, Kconfig, assembler, make', () => {
  it('modpost, new and old format, repeated', () => {
    const r = analyzeBuildLog(block(`
        MODPOST Module.symvers
      ERROR: modpost: "vmemmap_free" [drivers/dax/dax_pmem.ko] undefined!
      ERROR: modpost: "vmemmap_free" [drivers/dax/dax_pmem.ko] undefined!
      ERROR: "old_sym" [fs/x.ko] undefined!
      WARNING: modpost: vmlinux: section mismatch in reference: foo (section: .text) -> bar (section: .init.text)
      make[2]: *** [scripts/Makefile.modpost:145: Module.symvers] Error 1
    `));
    expect(r.errors.map((e) => [e.kind, e.title, e.symbol ?? null, e.count])).toEqual([
      ['modpost', 'modpost: "vmemmap_free" [drivers/dax/dax_pmem.ko] undefined!', 'vmemmap_free', 2],
      ['modpost', 'modpost: "old_sym" [fs/x.ko] undefined!', 'old_sym', 1],
      ['make', 'make: *** [scripts/Makefile.modpost:145: Module.symvers] Error 1', null, 1],
    ]);
  });

  it('Kconfig: recursive dependency with its explanation lines', () => {
    const log = block(`
      mm/Kconfig:123:error: recursive dependency detected!
      mm/Kconfig:123:	symbol ZONE_DEVICE depends on MEMORY_HOTREMOVE
      mm/Kconfig:456:	symbol MEMORY_HOTREMOVE is selected by ZONE_DEVICE
      For a resolution refer to Documentation/kbuild/kconfig-language.rst
      subsection "Kconfig recursive dependency limitations"
    `);
    expect(analyzeBuildLog(log).errors).toEqual([
      {
        kind: 'kconfig',
        title: 'mm/Kconfig:123: error: recursive dependency detected!',
        file: 'mm/Kconfig',
        line: 123,
        message: 'recursive dependency detected!',
        text: log.split('\n').slice(0, 3).join('\n'),
        logLine: 1,
        count: 1,
      },
    ]);
  });

  it('Kconfig: syntax errors, banners, warnings', () => {
    const log = block(`
      .config:12:warning: symbol value 'abc' invalid for NR_CPUS
      mm/Kconfig:930: syntax error
      mm/Kconfig:929: invalid statement
      arch/s390/Kconfig.debug:7: can't open file "arch/s390/nope/Kconfig"
      ***
      *** Error during update of the configuration.
      ***
      make[2]: *** [scripts/kconfig/Makefile:77: olddefconfig] Error 1
      ERROR: Kernel configuration is invalid.
    `);
    const r = analyzeBuildLog(log);
    expect(r.errors.map((e) => [e.kind, e.title])).toEqual([
      ['kconfig', 'mm/Kconfig:930: syntax error'],
      ['kconfig', 'mm/Kconfig:929: invalid statement'],
      ['kconfig', 'arch/s390/Kconfig.debug:7: can\'t open file "arch/s390/nope/Kconfig"'],
      ['kconfig', 'Error during update of the configuration.'],
      ['make', 'make: *** [scripts/kconfig/Makefile:77: olddefconfig] Error 1'],
      ['kconfig', 'Kernel configuration is invalid.'],
    ]);
    expect(r.warnings).toEqual([{ kind: 'kconfig', file: '.config', line: 12, message: "symbol value 'abc' invalid for NR_CPUS", logLine: 1, count: 1 }]);
  });

  it('Kconfig tools\' own errors; a host compile error under scripts/kconfig stays a compile error', () => {
    const log = block(`
      scripts/kconfig/merge_config.sh: line 12: syntax error: unexpected end of file
      scripts/kconfig/Makefile:77: recipe for target 'olddefconfig' failed
      scripts/kconfig/confdata.c:123:4: error: expected ';' before 'return'
    `);
    expect(analyzeBuildLog(log).errors.map((e) => [e.kind, e.title, e.file, e.line ?? null])).toEqual([
      ['kconfig', 'scripts/kconfig/merge_config.sh: line 12: syntax error: unexpected end of file', 'scripts/kconfig/merge_config.sh', null],
      ['compile', "scripts/kconfig/confdata.c:123: error: expected ';' before 'return'", 'scripts/kconfig/confdata.c', 123],
    ]);
  });

  it('GNU as and clang\'s integrated assembler', () => {
    const log = block(`
      arch/x86/entry/entry_64.S: Assembler messages:
      arch/x86/entry/entry_64.S:123: Error: no such instruction: \`foo %rax'
      {standard input}:45: Warning: ignoring changed section attributes for .text
      arch/arm64/kernel/head.S:20:2: error: unknown instruction
    `);
    const r = analyzeBuildLog(log);
    expect(r.errors.map((e) => [e.kind, e.title, e.text.split('\n').length])).toEqual([
      ['assembler', "arch/x86/entry/entry_64.S:123: Error: no such instruction: 'foo %rax'", 2],
      ['assembler', 'arch/arm64/kernel/head.S:20: error: unknown instruction', 1],
    ]);
    expect(r.warnings.map((w) => [w.kind, w.file, w.line])).toEqual([['assembler', '{standard input}', 45]]);
  });

  it('make: real causes are titled, "*** [...] Error N" only as a fallback', () => {
    expect(analyzeBuildLog("make[1]: *** No rule to make target 'arch/x86/foo.o', needed by 'arch/x86/built-in.a'.  Stop.\nmake: *** [Makefile:2000: arch/x86] Error 2\n").title).toBe(
      "make: *** No rule to make target 'arch/x86/foo.o', needed by 'arch/x86/built-in.a'.",
    );
    expect(analyzeBuildLog('Makefile:12: *** missing separator.  Stop.\n').errors.map((e) => [e.title, e.file, e.line])).toEqual([
      ['Makefile:12: *** missing separator.', 'Makefile', 12],
    ]);
    expect(analyzeBuildLog('  LD      vmlinux\nmake: *** [Makefile:1234: vmlinux] Killed\n').title).toBe('make: *** [Makefile:1234: vmlinux] Killed');
    // an error printed after make gave up on another job still wins
    expect(analyzeBuildLog('make[2]: *** [a.o] Error 1\nmm/b.c:1:1: error: boom\n').title).toBe('mm/b.c:1: error: boom');
    expect(analyzeBuildLog('make: [Makefile:12: clean] Error 1 (ignored)\n').status).toBe('ok');
  });
});
