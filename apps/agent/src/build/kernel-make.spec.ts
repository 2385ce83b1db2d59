import { sourcePrefixStripper } from './kernel-make';

describe('sourcePrefixStripper', () => {
  it('turns out-of-tree source paths into tree-relative ones, relative or absolute', () => {
    const strip = sourcePrefixStripper('/c/builds/b1/src', '/c/builds/b1/obj');
    expect(strip("../src/init/main.c:714:17: error: expected expression before ';' token")).toBe("init/main.c:714:17: error: expected expression before ';' token");
    expect(strip('In file included from /c/builds/b1/src/include/linux/mm.h:5,')).toBe('In file included from include/linux/mm.h:5,');
    expect(strip('  CC      init/main.o')).toBe('  CC      init/main.o');
  });
});
