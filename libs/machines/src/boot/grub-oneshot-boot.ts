import * as path from 'node:path';
import type { SshSession, SshTarget } from '../ssh/ssh-session';
import { BootError } from './boot-method';
import { RunningOsBoot, type RunningOsBootOptions, type UploadedKernel } from './running-os-boot';

export interface GrubOneshotOptions extends RunningOsBootOptions {
  /** GRUB's directory on the machine (grub.cfg, grubenv, custom.cfg). */
  grubDir?: string;
  /** The directory GRUB's root device is mounted at: /boot for a separate /boot partition, / otherwise. */
  grubRootDir?: string;
}

export const GRUB_ONESHOT_ENTRY = 'pfnlab-oneshot';

/**
 * grub one-shot: a generated menu entry in custom.cfg (which Debian's
 * grub.cfg sources, 41_custom) and `grub-reboot` of it, then a reboot.
 * GRUB clears next_entry as it boots the entry, so the following boot is
 * the default again; the default itself is never touched.
 */
export class GrubOneshotBoot extends RunningOsBoot {
  readonly describe: string;
  private readonly grubDir: string;
  private readonly grubRootDir: string;

  constructor(target: () => SshTarget, o: GrubOneshotOptions) {
    super(target, o);
    this.grubDir = o.grubDir ?? '/boot/grub';
    this.grubRootDir = o.grubRootDir ?? '/boot';
    const rel = path.posix.relative(this.grubRootDir, o.remoteDir);
    if (rel.startsWith('..') || path.posix.isAbsolute(rel)) throw new BootError(`remoteDir ${o.remoteDir} must be under the GRUB root ${this.grubRootDir}, or GRUB cannot read the kernel`);
    const t = target();
    this.describe = `grub-oneshot via ${t.username}@${t.host}:${t.port}`;
  }

  /** The path GRUB sees for a file on the machine. */
  private grubPath(file: string): string {
    return '/' + path.posix.relative(this.grubRootDir, file);
  }

  /** The generated entry; every word in it was checked (paths by the inventory grammar, parameters by buildCmdline). */
  menuEntry(k: UploadedKernel): string {
    return [
      `menuentry 'pfnlab test kernel (one boot)' --id ${GRUB_ONESHOT_ENTRY} {`,
      `  linux ${this.grubPath(k.kernel)} ${k.cmdline}`,
      ...(k.initrd ? [`  initrd ${this.grubPath(k.initrd)}`] : []),
      '}',
      '',
    ].join('\n');
  }

  protected async prepare(ssh: SshSession, k: UploadedKernel): Promise<void> {
    await ssh.writeFile(`${this.grubDir}/custom.cfg`, this.menuEntry(k)).catch((e: Error) => {
      throw new BootError(`writing ${this.grubDir}/custom.cfg on ${this.where()} failed: ${e.message}`);
    });
    await this.run(ssh, ['grub-reboot', GRUB_ONESHOT_ENTRY], 'grub-reboot refused the entry');
    const env = await this.run(ssh, ['grub-editenv', `${this.grubDir}/grubenv`, 'list'], 'reading grubenv');
    if (!new RegExp(`^next_entry=${GRUB_ONESHOT_ENTRY}$`, 'm').test(env.stdout)) throw new BootError(`grub-reboot did not set next_entry in ${this.grubDir}/grubenv (it holds: ${env.stdout.trim() || 'nothing'})`);
    await this.run(ssh, ['sync'], 'sync');
  }

  protected handOverArgv(): string[] {
    // -f: straight to the firmware once the disks are synced; a clean shutdown of the known-good OS buys nothing here.
    return ['reboot', '-f'];
  }

  protected async cleanup(ssh: SshSession): Promise<void> {
    await ssh.exec(['grub-editenv', `${this.grubDir}/grubenv`, 'unset', 'next_entry'], { timeoutMs: 10_000 });
    await ssh.exec(['rm', '-f', `${this.grubDir}/custom.cfg`], { timeoutMs: 10_000 });
    await ssh.exec(['rm', '-rf', this.o.remoteDir], { timeoutMs: 10_000 });
  }
}
