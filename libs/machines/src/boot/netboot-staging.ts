import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { BootError, type BootArtifacts, type BootMethod } from './boot-method';
import { buildCmdline } from './kernel-cmdline';
import { mustReadLocal } from './local-file';

/**
 * Netboot staging: kernel, optional initrd and a `cmdline` file in a
 * directory the machine's boot path reads at its next power-on (the vlab's
 * one-shot `boot/next/`, or a TFTP/PXE directory on the agent host that a
 * real lab's iPXE script fetches). The directory appears atomically: it is
 * filled under a temporary name next to it and renamed into place, so a
 * power-on never sees a half-written staging. One-shot-ness is the reader's
 * part (the vlab moves boot/next away when it boots it).
 */
export class NetbootStaging implements BootMethod {
  readonly kind = 'firmware' as const;
  readonly describe: string;

  constructor(
    readonly stagingDir: string,
    /** Console parameters of the machine, put in front of every test kernel's own. */
    private readonly consoleParams: string[] = [],
    /** earlycon parameters of the machine, first of all, unless the job turns earlycon off. */
    private readonly earlyconParams: string[] = [],
  ) {
    if (!path.isAbsolute(stagingDir)) throw new BootError(`netboot stagingDir ${stagingDir} must be an absolute path`);
    this.describe = `netboot ${stagingDir}`;
  }

  async stage(a: BootArtifacts): Promise<void> {
    const cmdline = buildCmdline([...(a.earlycon === false ? [] : this.earlyconParams), ...this.consoleParams], a.cmdline);
    await mustReadLocal(a.kernelPath, 'kernel image');
    if (a.initrdPath) await mustReadLocal(a.initrdPath, 'initrd');
    const parent = path.dirname(this.stagingDir);
    try {
      await fs.mkdir(parent, { recursive: true });
    } catch (e) {
      throw new BootError(`${this.describe}: cannot create ${parent} (${(e as NodeJS.ErrnoException).code})`);
    }
    // Same directory as the target: rename() is atomic only within one filesystem.
    const tmp = await fs.mkdtemp(path.join(parent, `.${path.basename(this.stagingDir)}.staging-`));
    try {
      await fs.copyFile(a.kernelPath, path.join(tmp, 'kernel'));
      if (a.initrdPath) await fs.copyFile(a.initrdPath, path.join(tmp, 'initrd'));
      await fs.writeFile(path.join(tmp, 'cmdline'), cmdline + '\n');
      await fs.chmod(tmp, 0o755);
      await this.removeStaging();
      await fs.rename(tmp, this.stagingDir);
    } catch (e) {
      await fs.rm(tmp, { recursive: true, force: true });
      if (e instanceof BootError) throw e;
      throw new BootError(`${this.describe}: staging failed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }

  async unstage(): Promise<void> {
    await this.removeStaging();
  }

  /** Moves an old staging out of the way first, so nothing boots from a directory being deleted. */
  private async removeStaging(): Promise<void> {
    const trash = `${this.stagingDir}.removing-${process.pid}-${Date.now()}`;
    try {
      await fs.rename(this.stagingDir, trash);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new BootError(`${this.describe}: cannot remove the previous staging (${(e as NodeJS.ErrnoException).code})`);
    }
    await fs.rm(trash, { recursive: true, force: true });
  }
}
