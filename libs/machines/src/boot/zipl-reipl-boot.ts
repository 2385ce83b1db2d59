import type { SshSession, SshTarget } from '../ssh/ssh-session';
import { RunningOsBoot, type RunningOsBootOptions, type UploadedKernel } from './running-os-boot';

export interface ZiplReiplOptions extends RunningOsBootOptions {
  /** The ccw device (e.g. 0.0.0100) that holds remoteDir: zipl writes its boot record there and chreipl points at it. */
  reiplDevice: string;
  /** The known-good IPL device, to point re-IPL back at when a staging is withdrawn. */
  knownGoodReiplDevice?: string;
}

/**
 * s390 re-IPL: `zipl` writes a boot record for the test kernel to a device
 * of its own (never the known-good one), `chreipl ccw` makes that the
 * device of the next re-IPL only, and `reboot` IPLs it. The LPAR's load
 * address on the HMC stays the known-good device, so recovery is an HMC
 * load (the power driver's cycle).
 */
export class ZiplReiplBoot extends RunningOsBoot {
  readonly describe: string;

  constructor(target: () => SshTarget, private readonly z: ZiplReiplOptions) {
    super(target, z);
    const t = target();
    this.describe = `zipl ${z.reiplDevice} via ${t.username}@${t.host}:${t.port}`;
  }

  protected async prepare(ssh: SshSession, k: UploadedKernel): Promise<void> {
    const argv = ['zipl', '--target', this.o.remoteDir, '--image', k.kernel, '--parameters', k.cmdline];
    if (k.initrd) argv.push('--ramdisk', k.initrd);
    await this.run(ssh, argv, 'zipl could not write the boot record');
    // --clear: memory is cleared before the load, as an HMC Load with clear does; the firmware loader then starts clean.
    await this.run(ssh, ['chreipl', 'ccw', '-d', this.z.reiplDevice, '--clear', '1'], 'chreipl refused the device');
    await this.run(ssh, ['sync'], 'sync');
  }

  protected handOverArgv(): string[] {
    return ['reboot', '-f'];
  }

  protected async cleanup(ssh: SshSession): Promise<void> {
    if (this.z.knownGoodReiplDevice) await ssh.exec(['chreipl', 'ccw', '-d', this.z.knownGoodReiplDevice], { timeoutMs: 10_000 });
  }
}
