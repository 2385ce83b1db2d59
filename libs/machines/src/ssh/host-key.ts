import { createHash } from 'node:crypto';

/** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints a host key's fingerprint. */
export function hostKeyFingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** Thrown when a machine presents a host key other than the pinned one: a lab fault, never ignored. */
export class HostKeyMismatchError extends Error {
  constructor(
    readonly host: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `SSH host key of ${host} changed: expected ${expected}, got ${actual}. ` +
        'If the machine was reinstalled, an operator must record the new key (inventory ssh.hostKeySha256); otherwise treat it as an attack.',
    );
  }
}
