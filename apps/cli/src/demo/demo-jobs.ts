import { join } from 'node:path';
import type { InventoryMachine, JobSpecInput } from '@pfnlab/contracts';

/** One boot job per virtual machine: its own known-good Debian kernel and the vlab initramfs, earlycon on. */
export function demoJob(machine: InventoryMachine, vlabDir: string): JobSpecInput {
  const dir = join(vlabDir, 'machines', machine.name, 'default');
  return {
    name: `demo: boot ${machine.name} (${machine.arch})`,
    kernel: { image: join(dir, 'kernel'), initrd: join(dir, 'initrd') },
    arch: machine.arch,
    target: { machine: machine.name },
    boot: { earlycon: true, silenceSeconds: 90, timeouts: { boot: 240, recover: 240 } },
    priority: 'normal',
  };
}
