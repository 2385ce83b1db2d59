import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretError, SecretResolver } from './secret-resolver';

describe('SecretResolver', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pfnlab-secret-'));
  writeFileSync(join(dir, 'pw'), 'from-file\n');
  const r = new SecretResolver({ BMC_PW: 'from-env' }, { 'power-password': 'from-server' });

  it('resolves env, file and stored references', () => {
    expect(r.resolve('env:BMC_PW')).toBe('from-env');
    expect(r.resolve(`file:${join(dir, 'pw')}`)).toBe('from-file');
    expect(r.resolve('stored:power-password')).toBe('from-server');
  });

  it('names the reference, never a value, when it cannot', () => {
    expect(() => r.resolve('env:NOPE')).toThrow(new SecretError('secret env:NOPE: environment variable NOPE is not set on this agent'));
    expect(() => r.resolve('file:/nonexistent/pw')).toThrow(/cannot read \/nonexistent\/pw \(ENOENT\)/);
    expect(() => r.resolve('stored:ssh-private-key')).toThrow(/holds no ssh-private-key/);
  });
});
