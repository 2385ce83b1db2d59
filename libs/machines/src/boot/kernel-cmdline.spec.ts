import { BootError } from './boot-method';
import { buildCmdline, checkCmdlineParam } from './kernel-cmdline';

describe('kernel command line', () => {
  it('puts the machine parameters first and drops verbatim duplicates', () => {
    expect(buildCmdline(['earlycon=pl011,0x9000000', 'console=ttyAMA0'], ['console=ttyAMA0', 'memmap=4G!12G', 'pfnlab.run=abc123', 'quiet']))
      .toBe('earlycon=pl011,0x9000000 console=ttyAMA0 memmap=4G!12G pfnlab.run=abc123 quiet');
  });

  it.each(['a b', 'a=b\nc', 'init="/bin/sh"', "x='y'", 'a\tb', 'x=`id`', 'x=$(id)', 'x;y', '', 'a\\b', 'x=\u0007'])('refuses %j', (p) => {
    expect(() => checkCmdlineParam(p)).toThrow(BootError);
  });

  it('refuses a command line longer than the kernel takes', () => {
    expect(() => buildCmdline([], Array.from({ length: 40 }, (_, i) => `p${i}=${'x'.repeat(60)}`))).toThrow(/the limit is 2048/);
  });
});
