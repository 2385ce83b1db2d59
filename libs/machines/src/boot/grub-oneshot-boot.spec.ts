import { BootError } from './boot-method';
import { GRUB_ONESHOT_ENTRY, GrubOneshotBoot } from './grub-oneshot-boot';
import { KexecBoot } from './kexec-boot';

const target = () => ({ host: 'm1.lab', port: 22, username: 'root' });
const common = { consoleParams: ['console=ttyS0,115200'], earlyconParams: ['earlycon=uart8250,io,0x3f8,115200'] };

describe('GrubOneshotBoot', () => {
  it('writes an entry whose paths are what GRUB sees on a separate /boot partition', () => {
    const g = new GrubOneshotBoot(target, { ...common, remoteDir: '/boot/pfnlab' });
    expect(g.menuEntry({ kernel: '/boot/pfnlab/kernel', initrd: '/boot/pfnlab/initrd', cmdline: 'console=ttyS0,115200 pfnlab.run=x' })).toBe(
      [`menuentry 'pfnlab test kernel (one boot)' --id ${GRUB_ONESHOT_ENTRY} {`, '  linux /pfnlab/kernel console=ttyS0,115200 pfnlab.run=x', '  initrd /pfnlab/initrd', '}', ''].join('\n'),
    );
    expect(g.describe).toBe('grub-oneshot via root@m1.lab:22');
  });

  it('keeps /boot in the paths when GRUB reads the root file system', () => {
    const g = new GrubOneshotBoot(target, { ...common, remoteDir: '/boot/pfnlab', grubRootDir: '/' });
    expect(g.menuEntry({ kernel: '/boot/pfnlab/kernel', cmdline: 'quiet' })).toContain('  linux /boot/pfnlab/kernel quiet\n}');
  });

  it('refuses an upload directory GRUB cannot read, and a relative one', () => {
    expect(() => new GrubOneshotBoot(target, { ...common, remoteDir: '/run/pfnlab' })).toThrow(new BootError('remoteDir /run/pfnlab must be under the GRUB root /boot, or GRUB cannot read the kernel'));
    expect(() => new KexecBoot(target, { ...common, remoteDir: 'run/pfnlab' })).toThrow(/must be an absolute path on the machine/);
  });

  it('refuses a parameter that would break out of the menu entry before touching the machine', async () => {
    const g = new GrubOneshotBoot(target, { ...common, remoteDir: '/boot/pfnlab' });
    await expect(g.stage({ kernelPath: __filename, cmdline: ['a;reboot'] })).rejects.toThrow(/not name or name=value of safe characters/);
    await expect(g.stage({ kernelPath: '/nonexistent/kernel', cmdline: [] })).rejects.toThrow(/kernel image \/nonexistent\/kernel does not exist/);
  });

  it('names petitboot as the kexec it is', () => {
    expect(new KexecBoot(target, { ...common, remoteDir: '/run/pfnlab' }, 'petitboot').describe).toBe('petitboot (kexec) via root@m1.lab:22');
    expect(new KexecBoot(target, { ...common, remoteDir: '/run/pfnlab' }).kind).toBe('running-os');
  });
});
