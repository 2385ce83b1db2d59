import * as path from 'node:path';
import { SshSession, type ExecResult, type SshTarget } from '../ssh/ssh-session';
import { waitForSsh } from '../ssh/wait-for-ssh';
import { BootError, type BootArtifacts, type BootMethod } from './boot-method';
import { buildCmdline } from './kernel-cmdline';
import { mustReadLocal } from './local-file';

export interface RunningOsBootOptions {
  /** Console parameters of the machine, in front of every test kernel's own. */
  consoleParams: string[];
  /** earlycon parameters, first of all, unless the job turns earlycon off. */
  earlyconParams: string[];
  /** Where the test kernel is uploaded on the machine. */
  remoteDir: string;
  /** Limit for one command on the machine (uploads, kexec -l, zipl). */
  commandTimeoutMs?: number;
}

/** What stage() left on the machine, for the method's own preparation. */
export interface UploadedKernel {
  kernel: string;
  initrd?: string;
  cmdline: string;
}

/**
 * A boot method that starts from the machine's running known-good OS over
 * SSH, as labs do on servers: upload the kernel, prepare exactly one boot
 * of it (kexec -l, a grub-reboot entry, a zipl boot record + chreipl), then
 * hand over (kexec -e, reboot). Nothing it does survives a power cycle, so
 * the BMC always brings back the known-good kernel.
 */
export abstract class RunningOsBoot implements BootMethod {
  readonly kind = 'running-os' as const;
  abstract readonly describe: string;

  constructor(
    protected readonly target: () => SshTarget,
    protected readonly o: RunningOsBootOptions,
  ) {
    if (!path.posix.isAbsolute(o.remoteDir)) throw new BootError(`remoteDir ${o.remoteDir} must be an absolute path on the machine`);
  }

  protected get timeoutMs(): number {
    return this.o.commandTimeoutMs ?? 120_000;
  }

  /** Prepares the one boot of the uploaded kernel; throws BootError naming the tool that refused. */
  protected abstract prepare(ssh: SshSession, k: UploadedKernel): Promise<void>;
  /** The command that hands over to the prepared kernel. */
  protected abstract handOverArgv(): string[];
  /** Takes back a preparation that was not used (best effort; the machine may be unreachable). */
  protected abstract cleanup(ssh: SshSession): Promise<void>;

  /** Resolves when the known-good OS answers over SSH; retries while it boots. */
  async waitReachable(signal: AbortSignal, timeoutMs: number): Promise<void> {
    const r = await waitForSsh(this.target, signal, timeoutMs);
    if (r.up) return;
    if (signal.aborted) throw new BootError('canceled while waiting for the known-good OS');
    throw new BootError(`the known-good OS did not answer SSH at ${this.where()} within ${Math.round(timeoutMs / 1000)} s (${r.last || 'no answer'})`);
  }

  async stage(a: BootArtifacts): Promise<void> {
    const cmdline = buildCmdline([...(a.earlycon === false ? [] : this.o.earlyconParams), ...this.o.consoleParams], a.cmdline);
    await mustReadLocal(a.kernelPath, 'kernel image');
    if (a.initrdPath) await mustReadLocal(a.initrdPath, 'initrd');
    const ssh = await this.connect();
    try {
      const dir = this.o.remoteDir;
      await this.run(ssh, ['rm', '-rf', dir], 'clearing the upload directory');
      await this.run(ssh, ['mkdir', '-p', dir], 'creating the upload directory');
      const k: UploadedKernel = { kernel: `${dir}/kernel`, cmdline };
      await this.upload(ssh, a.kernelPath, k.kernel);
      if (a.initrdPath) await this.upload(ssh, a.initrdPath, (k.initrd = `${dir}/initrd`));
      await this.prepare(ssh, k);
    } finally {
      ssh.close();
    }
  }

  /** Hands over; the connection dropping (the old kernel is gone) is the expected end. */
  async start(): Promise<void> {
    const ssh = await this.connect();
    try {
      const r = await ssh.exec(this.handOverArgv(), { timeoutMs: 5000 }).catch(() => undefined);
      if (r && !r.timedOut && r.code !== null && r.code !== 0) {
        throw new BootError(`${this.handOverArgv().join(' ')} failed on ${this.where()} (exit ${r.code}): ${tail(r)}`);
      }
    } finally {
      ssh.close();
    }
  }

  async unstage(): Promise<void> {
    let ssh: SshSession;
    try {
      ssh = await SshSession.connect({ ...this.target(), connectTimeoutMs: 5000 });
    } catch {
      return; // Not running its known-good OS: the power cycle of recovery takes care of it.
    }
    try {
      await this.cleanup(ssh);
    } catch {
      // Best effort, as above.
    } finally {
      ssh.close();
    }
  }

  protected where(): string {
    const t = this.target();
    return `${t.username}@${t.host}:${t.port}`;
  }

  protected async connect(): Promise<SshSession> {
    try {
      return await SshSession.connect({ ...this.target(), connectTimeoutMs: 10_000 });
    } catch (e) {
      if ((e as Error).name === 'HostKeyMismatchError') throw e;
      throw new BootError(`cannot reach the known-good OS over SSH at ${this.where()}: ${(e as Error).message}`);
    }
  }

  /** Runs argv on the machine; a non-zero exit is a BootError naming what was being done and the tool's own words. */
  protected async run(ssh: SshSession, argv: string[], doing: string): Promise<ExecResult> {
    const r = await ssh.exec(argv, { timeoutMs: this.timeoutMs });
    if (r.timedOut) throw new BootError(`${doing}: \`${argv.join(' ')}\` did not finish within ${this.timeoutMs / 1000} s on ${this.where()}`);
    if (r.code !== 0) throw new BootError(`${doing}: \`${argv.join(' ')}\` failed on ${this.where()} (exit ${r.code ?? r.signal}): ${tail(r)}`);
    return r;
  }

  private async upload(ssh: SshSession, local: string, remote: string): Promise<void> {
    try {
      await ssh.upload(local, remote);
    } catch (e) {
      throw new BootError(`uploading ${path.basename(local)} to ${this.where()}:${remote} failed: ${(e as Error).message}`);
    }
  }
}

function tail(r: ExecResult): string {
  const text = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' / ');
  return text.slice(-400) || 'no output';
}
