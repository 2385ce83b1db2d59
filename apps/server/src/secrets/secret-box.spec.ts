import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('round-trips and never contains the plaintext', () => {
    const box = new SecretBox(k1);
    const sealed = box.encrypt('bmc-password-123');
    expect(sealed).not.toContain('bmc-password-123');
    expect(box.decrypt(sealed)).toBe('bmc-password-123');
    expect(box.encrypt('x')).not.toBe(box.encrypt('x'));
  });

  it('rejects tampered ciphertexts', () => {
    const box = new SecretBox(k1);
    const parts = box.encrypt('secret').split('.');
    const ct = Buffer.from(parts[4], 'base64url');
    ct[0] ^= 1;
    parts[4] = ct.toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow();
  });

  it('decrypts with an old key during rotation and flags stale ciphertexts', () => {
    const sealedOld = new SecretBox(k1).encrypt('old');
    const rotated = new SecretBox(k2, [k1]);
    expect(rotated.decrypt(sealedOld)).toBe('old');
    expect(rotated.isStale(sealedOld)).toBe(true);
    expect(rotated.isStale(rotated.encrypt('new'))).toBe(false);
    expect(() => new SecretBox(k2).decrypt(sealedOld)).toThrow(/not configured/);
  });
});
