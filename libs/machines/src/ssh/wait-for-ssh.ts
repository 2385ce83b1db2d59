import { HostKeyMismatchError } from './host-key';
import { SshSession, type SshTarget } from './ssh-session';

/**
 * Resolves once the machine's SSH server runs a command, retrying every
 * 2 s while it boots. Resolves to false when the signal aborts or the time
 * is up, with the last error seen; a changed host key is thrown at once
 * (that is not "still booting").
 */
export async function waitForSsh(target: () => SshTarget, signal: AbortSignal, timeoutMs: number): Promise<{ up: boolean; last: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (!signal.aborted && Date.now() < deadline) {
    try {
      const ssh = await SshSession.connect({ ...target(), connectTimeoutMs: 5000 });
      try {
        if ((await ssh.exec(['true'], { timeoutMs: 5000 })).code === 0) return { up: true, last };
      } finally {
        ssh.close();
      }
    } catch (e) {
      if (e instanceof HostKeyMismatchError) throw e;
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  return { up: false, last };
}
