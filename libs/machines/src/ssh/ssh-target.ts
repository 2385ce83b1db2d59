import type { SshConfig } from '@pfnlab/contracts';
import type { SecretResolver } from '../secrets/secret-resolver';
import type { SshTarget } from './ssh-session';

/** The SSH target of an inventory machine; its secrets are resolved now, so call this when connecting. */
export function sshTargetOf(ssh: SshConfig, secrets: SecretResolver): SshTarget {
  return {
    host: ssh.host,
    port: ssh.port,
    username: ssh.username,
    privateKey: ssh.privateKeyRef ? secrets.resolve(ssh.privateKeyRef) : undefined,
    password: ssh.passwordRef ? secrets.resolve(ssh.passwordRef) : undefined,
    hostKeySha256: ssh.hostKeySha256,
  };
}
