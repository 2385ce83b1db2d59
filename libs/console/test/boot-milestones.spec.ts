import { analyzeLog, ConsoleAnalyzer, type Milestone } from '@pfnlab/console';
import { plain } from './support';

const brief = (ms: Milestone[]) => ms.map((m) => [m.name, m.line, m.time, m.detail ?? null, m.boot]);

describe('boot milestones', () => {
  it('x86_64: SeaBIOS, GRUB, decompressor, earlycon, console, memory, init, login', () => {
    const log = plain(`
      SeaBIOS (version 1.16.2-debian-1.16.2-1)
      Booting from Hard Disk...
      Loading Linux 6.1.0-18-amd64 ...
      [    0.000000] Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)
      [    0.000000] BIOS-provided physical RAM map:
      [    0.000000] earlycon: uart8250 at I/O port 0x3f8 (options '115200')
      [    0.000000] printk: bootconsole [uart8250] enabled
      [    0.034215] Memory: 8081468K/8388076K available (14339K kernel code, 2330K rwdata, 9064K rodata)
      [    0.112000] printk: console [ttyS0] enabled
      [    0.112001] printk: bootconsole [uart8250] disabled
      [    1.204000] Freeing unused kernel image (initmem) memory: 2796K
      [    1.210000] Run /init as init process
      Debian GNU/Linux 12 lab-x86-03 ttyS0
      lab-x86-03 login: 
    `);
    const r = analyzeLog(log);
    expect(brief(r.milestones)).toEqual([
      ['firmware', 1, null, null, 1],
      ['kernel-handover', 3, null, null, 1],
      ['linux-version', 4, 0, '6.1.0-18-amd64', 1],
      ['earlycon', 6, 0, 'uart8250', 1],
      ['memory-init', 8, 0.034215, null, 1],
      ['console-handover', 9, 0.112, 'ttyS0', 1],
      ['init-started', 11, 1.204, null, 1],
      ['userspace-ready', 14, null, 'login prompt', 1],
    ]);
    expect(r.kernelVersion).toBe('6.1.0-18-amd64');
    expect(r.arch).toBe('x86_64');
  });

  it('arm64: UEFI, EFI stub, "Booting Linux on physical CPU", shell prompt', () => {
    const log = plain(`
      UEFI firmware (version 2.70 built at 10:00:00 on Jan  1 2024)
      BdsDxe: starting Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x2,0x0)
      EFI stub: Booting Linux Kernel...
      EFI stub: Exiting boot services...
      [    0.000000] Booting Linux on physical CPU 0x0000000000 [0x431f0af1]
      [    0.000000] Linux version 6.1.0-18-arm64 (debian-kernel@lists.debian.org) #1 SMP Debian 6.1.76-1
      [    0.000000] earlycon: pl11 at MMIO 0x000000000402020000 (options '')
      [    0.000000] Memory: 65423364K/67104768K available (12288K kernel code)
      [    0.321000] printk: console [ttyAMA0] enabled
      [    2.100000] Run /sbin/init as init process
      root@thunderx2-01:~# 
    `);
    const r = analyzeLog(log);
    expect(brief(r.milestones)).toEqual([
      ['firmware', 1, null, null, 1],
      ['kernel-handover', 3, null, null, 1],
      ['linux-version', 6, 0, '6.1.0-18-arm64', 1],
      ['earlycon', 7, 0, 'pl11', 1],
      ['memory-init', 8, 0, null, 1],
      ['console-handover', 9, 0.321, 'ttyAMA0', 1],
      ['init-started', 10, 2.1, '/sbin/init', 1],
      ['userspace-ready', 11, null, 'shell prompt', 1],
    ]);
    expect(r.arch).toBe('arm64');
  });

  it('s390x: zIPL, the SCLP console from the first line, a custom ready marker', () => {
    const log = plain(`
      zIPL v2.25.0 interactive boot menu
      Booting default (linux)
      [    0.000000] Linux version 6.1.0-18-s390x (debian-kernel@lists.debian.org) #1 SMP Debian 6.1.76-1
      [    0.000000] setup: Linux is running natively in 64-bit mode
      [    0.012000] Memory: 16262956K/16777216K available (15332K kernel code)
      [    1.500000] Run /init as init process
      PFNLAB-READY boot 1
    `);
    const r = analyzeLog(log, { readyMarkers: ['PFNLAB-READY'] });
    expect(brief(r.milestones)).toEqual([
      ['firmware', 1, null, null, 1],
      ['kernel-handover', 2, null, null, 1],
      ['linux-version', 3, 0, '6.1.0-18-s390x', 1],
      ['memory-init', 5, 0.012, null, 1],
      ['init-started', 6, 1.5, '/init', 1],
      ['userspace-ready', 7, null, 'PFNLAB-READY', 1],
    ]);
    expect(r.arch).toBe('s390x');
  });

  it('ppc64le: petitboot kexec, "Booting Linux via __start()", hvc0', () => {
    const log = plain(`
      Petitboot (v1.13.0)
      [  120.000000] kexec_core: Starting new kernel
      Booting Linux via __start() @ 0x0000000000440000 ...
      [    0.000000] Linux version 6.1.0-18-powerpc64le (debian-kernel@lists.debian.org) #1 SMP Debian 6.1.76-1
      [    0.000000] printk: bootconsole [udbg0] enabled
      [    0.000000] Memory: 8152320K/8388608K available (14336K kernel code)
      [    0.050000] printk: console [hvc0] enabled
      [    1.900000] Run /init as init process
      power9-07 login:
    `);
    const r = analyzeLog(log);
    expect(r.milestones.map((m) => [m.name, m.line, m.detail ?? null])).toEqual([
      ['firmware', 1, null],
      ['kernel-handover', 2, null],
      ['linux-version', 4, '6.1.0-18-powerpc64le'],
      ['earlycon', 5, 'udbg0'],
      ['memory-init', 6, null],
      ['console-handover', 7, 'hvc0'],
      ['init-started', 8, '/init'],
      ['userspace-ready', 9, 'login prompt'],
    ]);
    expect(r.arch).toBe('ppc64le');
  });

  it('starts a second boot after a reboot and a kexec', () => {
    const boot = (v: string) =>
      plain(`
        [    0.000000] Linux version ${v} (builder@lab) #1 SMP
        [    0.010000] Memory: 1000K/2000K available
        [    1.000000] Run /init as init process
        lab login: 
      `);
    const log = boot('6.1.0-good') + plain('[  300.000000] kexec_core: Starting new kernel\n') + boot('6.15.0-rc1-test');
    const r = analyzeLog(log);
    expect(r.milestones.map((m) => [m.boot, m.name, m.line])).toEqual([
      [1, 'linux-version', 1],
      [1, 'memory-init', 2],
      [1, 'init-started', 3],
      [1, 'userspace-ready', 4],
      [2, 'kernel-handover', 5],
      [2, 'linux-version', 6],
      [2, 'memory-init', 7],
      [2, 'init-started', 8],
      [2, 'userspace-ready', 9],
    ]);
    expect(r.kernelVersion).toBe('6.15.0-rc1-test');
  });

  it('sees a login prompt that has no newline yet (live)', () => {
    const seen: string[] = [];
    const a = new ConsoleAnalyzer({
      onEvent: (e) => {
        if (e.type === 'milestone') seen.push(`${e.milestone.name}@${e.milestone.line}@${e.milestone.arrival}`);
      },
    });
    a.push('[    0.000000] Linux version 6.1.0 (b@l) #1\n', 1000);
    a.push('[    1.000000] Run /init as init process\nlab-x86-03 log', 2000);
    expect(seen).toEqual(['linux-version@1@1000', 'init-started@2@2000']);
    a.push('in: ', 2500);
    expect(seen).toEqual(['linux-version@1@1000', 'init-started@2@2000', 'userspace-ready@3@2500']);
  });

  it('does not take a firmware shell prompt for user space', () => {
    const r = analyzeLog(plain('Petitboot (v1.13.0)\n# \n'));
    expect(r.milestones.map((m) => m.name)).toEqual(['firmware']);
  });
});
