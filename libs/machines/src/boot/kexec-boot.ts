import type { SshSession, SshTarget } from '../ssh/ssh-session';
import { RunningOsBoot, type RunningOsBootOptions, type UploadedKernel } from './running-os-boot';

/**
 * kexec from the running OS: `kexec -l` loads the test kernel into the
 * running one, `kexec -e` jumps to it without firmware. Petitboot on
 * POWER boots exactly this way, so the petitboot method is this one.
 * A loaded kexec image lives in RAM only: any power cycle forgets it.
 */
export class KexecBoot extends RunningOsBoot {
  readonly describe: string;

  constructor(target: () => SshTarget, o: RunningOsBootOptions, flavour: 'kexec' | 'petitboot' = 'kexec') {
    super(target, o);
    const t = target();
    this.describe = `${flavour === 'petitboot' ? 'petitboot (kexec)' : 'kexec'} via ${t.username}@${t.host}:${t.port}`;
  }

  protected async prepare(ssh: SshSession, k: UploadedKernel): Promise<void> {
    // Arguments go as separate words (no remote shell interpretation); the command line was checked by buildCmdline.
    const argv = ['kexec', '-l', k.kernel, `--command-line=${k.cmdline}`];
    if (k.initrd) argv.push(`--initrd=${k.initrd}`);
    await this.run(ssh, argv, 'kexec -l rejected the image (is it a kernel for this architecture?)');
  }

  protected handOverArgv(): string[] {
    return ['kexec', '-e'];
  }

  protected async cleanup(ssh: SshSession): Promise<void> {
    await ssh.exec(['kexec', '-u'], { timeoutMs: 10_000 });
  }
}
