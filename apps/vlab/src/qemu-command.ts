import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageManifest } from './image-builder';
import { MachineDef, profileOf } from './machines';

/*
 * The QEMU command line of a machine, minus -kernel/-initrd/-append which
 * deploy/vlab/start-machine.sh adds at each power-on (known-good image or
 * the one-shot staged kernel). Written NUL-separated to <machine>/qemu.argv.
 */

export interface MachinePorts {
  console: number;
  ssh: number;
  console2?: number;
}

export function qemuArgv(m: MachineDef, dir: string, ports: MachinePorts): string[] {
  const p = profileOf(m);
  const argv = [
    p.qemu, ...p.machineArgs, '-accel', 'tcg',
    '-m', `${m.memoryMiB}M${p.memOptions}`, '-smp', String(m.cpus),
    '-name', m.name, '-nodefaults', '-display', 'none',
    // A guest reboot ends QEMU and start-machine.sh powers on again (the one-shot
    // staging is re-read). Not on the LPAR: there `chreipl` + reboot must reach
    // QEMU's own re-IPL, which boots the device the guest chose (zipl method).
    ...(m.bootDisk === 'zipl' ? [] : ['-no-reboot']),
    // wait=on: QEMU does not run the guest before the console's consumer (SOL,
    // HMC emulator) is connected, so no early byte is lost; logfile keeps a copy.
    '-chardev', `socket,id=con0,host=127.0.0.1,port=${ports.console},server=on,wait=on,logfile=${dir}/console.log,logappend=on`,
    '-serial', 'chardev:con0',
  ];
  if (ports.console2) {
    argv.push('-chardev', `socket,id=con1,host=127.0.0.1,port=${ports.console2},server=on,wait=off,logfile=${dir}/console2.log,logappend=on`);
    // x86: a second ISA UART (ttyS1); arm64 virt has one PL011, so a PCI 16550 (ttyS0 there).
    if (m.arch === 'x86_64') argv.push('-serial', 'chardev:con1');
    else argv.push('-device', 'pci-serial,chardev=con1');
  }
  argv.push(
    '-qmp', `unix:${dir}/qmp.sock,server=on,wait=off`,
    '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${ports.ssh}-:22`,
    '-device', `${p.nicDevice},netdev=n0`,
    ...p.hotplugDevices,
  );
  if (m.bootDisk) {
    argv.push('-drive', `file=${dir}/disk.img,format=raw,if=none,id=disk0`);
    // x86: the disk SeaBIOS boots when nothing is staged; s390x: ccw 0.0.0100, the device chreipl names.
    // enforce_bios: the s390-ccw firmware is loaded beside the -kernel IPL, so a re-IPL from this disk finds it.
    if (m.arch === 's390x') argv.push('-device', 'virtio-blk-ccw,drive=disk0,devno=fe.0.0100', '-global', 's390-ipl.enforce_bios=on');
    else argv.push('-device', 'virtio-blk-pci,drive=disk0,bootindex=1');
  }
  return argv;
}

/** The known-good kernel command line. */
export function defaultCmdline(m: MachineDef): string {
  const p = profileOf(m);
  // Kernel messages go to both UARTs when a console server sits on the second
  // one; /init pins its own output and shell to the primary tty (vlab.console).
  const second = m.consoleServer && p.secondaryTty ? [`console=${p.secondaryTty},115200`] : [];
  return [...p.earlyconParams, ...second, ...p.consoleParams, 'panic=-1', `vlab.name=${m.name}`, `vlab.console=${p.primaryTty}`,
    ...(second.length ? [`vlab.console2=${p.secondaryTty}`] : [])].join(' ');
}

/**
 * Lays out <machine>/: qemu.argv, default/{kernel,initrd,cmdline} (links to
 * the arch's known-good image), boot/ for one-shot staging, fault.
 */
export function writeMachineDir(m: MachineDef, dir: string, ports: MachinePorts, image: ImageManifest): void {
  fs.mkdirSync(path.join(dir, 'default'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'boot'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'qemu.argv'), qemuArgv(m, dir, ports).join('\0') + '\0');
  for (const [n, target] of [['kernel', image.kernel], ['initrd', image.initrd]] as const) {
    const link = path.join(dir, 'default', n);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
  }
  fs.writeFileSync(path.join(dir, 'default', 'cmdline'), defaultCmdline(m) + '\n');
  // The known-good boot of a grub machine goes through its firmware and disk, not -kernel.
  const fromDisk = path.join(dir, 'default', 'boot-from-disk');
  if (m.bootDisk === 'grub') fs.writeFileSync(fromDisk, 'grub\n');
  else fs.rmSync(fromDisk, { force: true });
  if (!fs.existsSync(path.join(dir, 'fault'))) fs.writeFileSync(path.join(dir, 'fault'), 'none\n');
}
