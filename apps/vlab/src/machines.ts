import type { Arch, BootConfig, Platform } from '@pfnlab/contracts';

export type BootMethodName = BootConfig['method'];
import { ARCH_PROFILES, ArchProfile } from './arch-profiles';

/** One virtual machine of the lab and the interfaces in front of it. */
export interface MachineDef {
  name: string;
  arch: Arch;
  platform: Platform;
  memoryMiB: number;
  cpus: number;
  /** Power and console management: OpenIPMI ipmi_sim, or the HMC emulation. */
  mgmt: 'ipmi' | 'hmc';
  /** A Redfish service beside the IPMI BMC. */
  redfish?: boolean;
  /** A real console server in front of the machine's second console UART. */
  consoleServer?: 'ser2net' | 'conserver';
  /**
   * A boot disk for boot methods that run from the known-good OS: grub (the
   * machine's firmware boots it, `grub-reboot` picks a one-shot entry) or
   * zipl (an empty partition for a separate s390 boot record). See boot-disk.ts.
   */
  bootDisk?: 'grub' | 'zipl';
  bootDiskMiB?: number;
  description: string;
}

export const LAB_NAME = 'vlab';
export const HMC_CPC = 'VLABZ15';

export const MACHINES: MachineDef[] = [
  { name: 'x86-01', arch: 'x86_64', platform: 'x86-server', memoryMiB: 1024, cpus: 1, mgmt: 'ipmi', redfish: true, consoleServer: 'conserver', bootDisk: 'grub',
    description: 'vlab: QEMU q35 (TCG) behind ipmi_sim (IPMI 2.0, SOL) and a Redfish service; ttyS1 behind conserver' },
  { name: 'tx2-01', arch: 'arm64', platform: 'thunderx2', memoryMiB: 1024, cpus: 1, mgmt: 'ipmi', consoleServer: 'ser2net',
    description: 'vlab: QEMU virt arm64 (TCG) behind ipmi_sim (IPMI 2.0, SOL on the PL011); PCI 16550 behind ser2net (telnet/RFC 2217)' },
  { name: 'p9-01', arch: 'ppc64le', platform: 'power9', memoryMiB: 1024, cpus: 1, mgmt: 'ipmi',
    description: 'vlab: QEMU pseries POWER9 with VOF (TCG) behind ipmi_sim (IPMI 2.0, SOL on hvc0)' },
  { name: 'z15-lpar-01', arch: 's390x', platform: 'z15-lpar', memoryMiB: 1024, cpus: 1, mgmt: 'hmc', bootDisk: 'zipl',
    description: 'vlab: QEMU s390-ccw-virtio (TCG) behind an HMC Web Services API emulation (logon, activate, load, OS messages)' },
];

export function machineByName(name: string): MachineDef | undefined {
  return MACHINES.find((m) => m.name === name);
}

/** The boot methods a machine of the lab can serve: netboot staging always; the others from its known-good OS. */
export function bootMethodsOf(m: MachineDef): BootMethodName[] {
  const out: BootMethodName[] = ['netboot', 'kexec'];
  if (m.arch === 'ppc64le') out.push('petitboot');
  if (m.bootDisk === 'grub') out.push('grub-oneshot');
  if (m.bootDisk === 'zipl') out.push('zipl');
  return out;
}

export function profileOf(m: MachineDef): ArchProfile {
  return ARCH_PROFILES[m.arch];
}

/** The ports one machine needs, by role. */
export type PortRole = 'console' | 'console2' | 'ssh' | 'ipmi' | 'ipmiVm' | 'redfish' | 'consoleServer';

export function portRoles(m: MachineDef): PortRole[] {
  const roles: PortRole[] = ['console', 'ssh'];
  if (m.mgmt === 'ipmi') roles.push('ipmi', 'ipmiVm');
  if (m.redfish) roles.push('redfish');
  if (m.consoleServer) roles.push('console2');
  if (m.consoleServer === 'ser2net') roles.push('consoleServer');
  return roles;
}
