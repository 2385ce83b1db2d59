/** The kernel to boot once, and its command line as a list of parameters. */
export interface BootArtifacts {
  kernelPath: string;
  initrdPath?: string;
  /** The job's own parameters; the boot method puts the machine's console parameters in front. */
  cmdline: string[];
  /** Whether the machine's earlycon parameters go in too (default: yes). */
  earlycon?: boolean;
}

export class BootError extends Error {}

/**
 * How a test kernel gets onto a machine for exactly one boot. No method may
 * change the machine's default: a power cycle must always bring back the
 * known-good kernel (DOMAIN.md).
 */
export interface BootMethod {
  readonly describe: string;
  /**
   * firmware: what stage() wrote is booted by the next power-on (netboot);
   * running-os: the machine's known-good OS must be up for stage(), and
   * start() hands over to the staged kernel (kexec, grub-reboot, zipl).
   */
  readonly kind: 'firmware' | 'running-os';
  /** Arrange that the next boot, and only it, starts these artifacts. */
  stage(artifacts: BootArtifacts): Promise<void>;
  /** Undo a staging the boot did not consume (e.g. power-on failed). Idempotent. */
  unstage(): Promise<void>;
  /** running-os: resolves when the known-good OS answers (it may be booting). */
  waitReachable?(signal: AbortSignal, timeoutMs: number): Promise<void>;
  /** running-os: hands over to the staged kernel. */
  start?(): Promise<void>;
}
