import type { Arch } from '@pfnlab/contracts';

/** How one architecture is emulated and what its known-good image contains. */
export interface ArchProfile {
  arch: Arch;
  /** Debian architecture name. */
  debArch: 'amd64' | 'arm64' | 'ppc64el' | 's390x';
  /** Flavour in linux-image-<flavour> (the meta package resolved at run time). */
  kernelFlavour: string;
  qemu: string;
  machineArgs: string[];
  /** Console parameters for test kernels (the SOL / HMC console). */
  consoleParams: string[];
  /** tty of that console, and of the second UART behind a console server (if any). */
  primaryTty: string;
  secondaryTty?: string;
  earlyconParams: string[];
  nicDevice: string;
  /** Extra -m options and devices for memory hot-add. */
  memOptions: string;
  hotplugDevices: string[];
  hotplugMethods: Array<'offline-online' | 'pc-dimm' | 'virtio-mem'>;
  /** Modules (basenames) loaded by /init in dependency order; absent ones are built in. */
  modules: string[];
  /**
   * The boot tools of the known-good OS beyond kexec (which every arch has),
   * and e2fsck where there is a boot disk (a power cut may hit it mounted):
   * Debian packages and the files taken from them into the initramfs.
   */
  bootTools: { packages: string[]; files: string[] };
}

/** Disk support for /boot (the grub or zipl boot disk), where a machine has one. */
const DISK_MODULES = ['virtio_blk', 'crc32c_generic', 'ext4']; // ext4 loads crc32c by name (a soft dependency)

const VIRTIO_MEM = ['-object', 'memory-backend-ram,id=vmem0,size=2G', '-device', 'virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0'];

export const ARCH_PROFILES: Record<Arch, ArchProfile> = {
  x86_64: {
    arch: 'x86_64',
    debArch: 'amd64',
    kernelFlavour: 'amd64',
    qemu: 'qemu-system-x86_64',
    machineArgs: ['-M', 'q35', '-cpu', 'max'],
    consoleParams: ['console=ttyS0,115200'],
    primaryTty: 'ttyS0',
    secondaryTty: 'ttyS1',
    earlyconParams: ['earlycon=uart8250,io,0x3f8,115200'],
    nicDevice: 'virtio-net-pci',
    memOptions: ',slots=4,maxmem=8G',
    hotplugDevices: VIRTIO_MEM,
    hotplugMethods: ['offline-online', 'pc-dimm', 'virtio-mem'],
    modules: ['virtio_pci', 'virtio_net', 'virtio_mem', ...DISK_MODULES],
    // grub-reboot is a shell script around grub-editenv; it sources grub-mkconfig_lib.
    bootTools: { packages: ['grub-common', 'grub2-common', 'e2fsprogs'], files: ['usr/bin/grub-editenv', 'usr/sbin/grub-probe', 'usr/sbin/grub-reboot', 'usr/share/grub/grub-mkconfig_lib', 'sbin/e2fsck'] },
  },
  arm64: {
    arch: 'arm64',
    debArch: 'arm64',
    kernelFlavour: 'arm64',
    qemu: 'qemu-system-aarch64',
    machineArgs: ['-M', 'virt', '-cpu', 'max,pauth-impdef=on'],
    consoleParams: ['console=ttyAMA0'],
    primaryTty: 'ttyAMA0',
    secondaryTty: 'ttyS0',
    earlyconParams: ['earlycon=pl011,0x9000000'],
    nicDevice: 'virtio-net-pci',
    memOptions: ',maxmem=4G',
    hotplugDevices: VIRTIO_MEM,
    hotplugMethods: ['offline-online', 'virtio-mem'],
    modules: ['virtio_pci', 'virtio_net', 'virtio_mem', '8250_pci'],
    bootTools: { packages: [], files: [] },
  },
  ppc64le: {
    arch: 'ppc64le',
    debArch: 'ppc64el',
    kernelFlavour: 'powerpc64le',
    qemu: 'qemu-system-ppc64',
    machineArgs: ['-M', 'pseries,x-vof=on', '-cpu', 'POWER9'],
    consoleParams: ['console=hvc0'],
    primaryTty: 'hvc0',
    earlyconParams: [],
    nicDevice: 'virtio-net-pci',
    memOptions: ',slots=4,maxmem=4G',
    hotplugDevices: [],
    hotplugMethods: ['offline-online', 'pc-dimm'],
    modules: ['virtio_pci', 'virtio_net'],
    bootTools: { packages: [], files: [] },
  },
  s390x: {
    arch: 's390x',
    debArch: 's390x',
    kernelFlavour: 's390x',
    qemu: 'qemu-system-s390x',
    machineArgs: ['-M', 's390-ccw-virtio', '-cpu', 'max'],
    consoleParams: ['console=ttysclp0'],
    primaryTty: 'ttysclp0',
    earlyconParams: [],
    nicDevice: 'virtio-net-ccw',
    memOptions: '',
    hotplugDevices: [],
    hotplugMethods: ['offline-online'],
    modules: ['virtio_ccw', 'virtio_net', ...DISK_MODULES],
    // zipl and its stage3 loader (lib/s390-tools comes along with the libraries); chreipl.
    bootTools: { packages: ['s390-tools', 'e2fsprogs'], files: ['sbin/zipl', 'usr/sbin/chreipl', 'usr/sbin/lsreipl', 'sbin/e2fsck'] },
  },
};
