import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { HostKeyMismatchError, SshSession } from '@pfnlab/machines';
import { TestSshd } from '../support/sshd';

describe('SshSession against a real OpenSSH server', () => {
  const sshd = new TestSshd();
  let target: { host: string; port: number; username: string; privateKey: string; hostKeySha256: string };

  beforeAll(async () => {
    await sshd.start();
    target = { host: '127.0.0.1', port: sshd.port, username: userInfo().username, privateKey: sshd.clientKey, hostKeySha256: sshd.hostKeyFingerprint };
  });
  afterAll(async () => sshd.stop());

  it('records the host key it saw, in ssh-keygen format', async () => {
    const s = await SshSession.connect({ ...target, hostKeySha256: undefined });
    expect(s.seenHostKey).toBe(sshd.hostKeyFingerprint);
    s.close();
  });

  it('refuses a changed host key before authenticating', async () => {
    const wrong = 'SHA256:' + 'A'.repeat(43);
    await expect(SshSession.connect({ ...target, hostKeySha256: wrong })).rejects.toBeInstanceOf(HostKeyMismatchError);
    await expect(SshSession.connect({ ...target, hostKeySha256: wrong })).rejects.toThrow(/host key of 127\.0\.0\.1:\d+ changed/);
  });

  it('runs argv without the remote shell interpreting any of it, and streams output', async () => {
    const s = await SshSession.connect(target);
    try {
      const chunks: string[] = [];
      const r = await s.exec(['printf', '%s|', '$(id)', '; echo pwned', "it's", 'a b'], { timeoutMs: 10_000, onStdout: (c) => chunks.push(c) });
      expect(r).toMatchObject({ code: 0, timedOut: false, stdout: "$(id)|; echo pwned|it's|a b|" });
      expect(chunks.join('')).toBe(r.stdout);
      const fail = await s.exec(['sh', '-c', 'echo oops >&2; exit 3'], { timeoutMs: 10_000 });
      expect(fail).toMatchObject({ code: 3, stderr: 'oops\n' });
    } finally {
      s.close();
    }
  });

  it('times a hanging command out', async () => {
    const s = await SshSession.connect(target);
    try {
      const t0 = Date.now();
      const r = await s.exec(['sleep', '30'], { timeoutMs: 500 });
      expect(r.timedOut).toBe(true);
      expect(Date.now() - t0).toBeLessThan(20_000);
    } finally {
      s.close();
    }
  });

  it('uploads files over SFTP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfnlab-sftp-'));
    writeFileSync(join(dir, 'bzImage'), Buffer.alloc(300_000, 7));
    const s = await SshSession.connect(target);
    try {
      await s.upload(join(dir, 'bzImage'), join(dir, 'uploaded'), 0o600);
      expect(readFileSync(join(dir, 'uploaded'))).toEqual(Buffer.alloc(300_000, 7));
      await expect(s.upload(join(dir, 'bzImage'), '/nonexistent-dir/x')).rejects.toThrow(/SFTP upload/);
    } finally {
      s.close();
    }
  });

  it('fails with a clear message when nothing listens', async () => {
    await expect(SshSession.connect({ ...target, port: 1, connectTimeoutMs: 2000 })).rejects.toThrow(/SSH to .*@127\.0\.0\.1:1 failed/);
  });
});
