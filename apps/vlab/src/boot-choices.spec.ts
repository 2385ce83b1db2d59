import { grubConfig } from './boot-disk';
import { parseBootChoices } from './inventory-writer';
import { bootMethodsOf, machineByName } from './machines';

describe('vlab boot methods', () => {
  it('each machine offers netboot and kexec, plus its platform\'s own path', () => {
    expect(['x86-01', 'tx2-01', 'p9-01', 'z15-lpar-01'].map((n) => bootMethodsOf(machineByName(n)!))).toEqual([
      ['netboot', 'kexec', 'grub-oneshot'],
      ['netboot', 'kexec'],
      ['netboot', 'kexec', 'petitboot'],
      ['netboot', 'kexec', 'zipl'],
    ]);
  });

  it('parses --boot lists and refuses what a machine cannot do, with the alternatives', () => {
    expect(parseBootChoices(['x86-01=grub-oneshot,tx2-01=kexec', 'z15-lpar-01=zipl'])).toEqual({ 'x86-01': 'grub-oneshot', 'tx2-01': 'kexec', 'z15-lpar-01': 'zipl' });
    expect(() => parseBootChoices(['tx2-01=zipl'])).toThrow('--boot tx2-01=zipl: tx2-01 cannot boot by "zipl"');
    expect(() => parseBootChoices(['x99=kexec'])).toThrow('--boot x99=kexec: no vlab machine "x99"');
  });

  it('the grub.cfg keeps the known-good entry the default and honours a one-shot next_entry', () => {
    const cfg = grubConfig(machineByName('x86-01')!, 'console=ttyS0,115200 panic=-1');
    const lines = cfg.split('\n');
    expect(lines).toEqual(expect.arrayContaining(['if [ "${next_entry}" ] ; then', '   set next_entry=', '   save_env next_entry', '   set default="0"', '  linux /vmlinuz console=ttyS0,115200 panic=-1']));
    // custom.cfg (the generated entries) comes after the default entry: menu position 0 stays known-good.
    expect(cfg.indexOf('source ${config_directory}/custom.cfg')).toBeGreaterThan(cfg.indexOf('menuentry'));
  });
});
