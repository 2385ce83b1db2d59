import { redact } from './redact';

describe('redact', () => {
  it('hides credential fields at any depth but keeps secret references', () => {
    const out = redact({
      name: 'x86-01',
      power: { driver: 'ipmi', passwordRef: 'env:BMC', password: 'hunter2' },
      secrets: { 'power-password': 'hunter2', 'ssh-private-key': '-----BEGIN' },
      list: [{ token: 'pfn_abc' }],
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|BEGIN|pfn_abc/);
    expect(out).toMatchObject({ name: 'x86-01', power: { passwordRef: 'env:BMC', password: '[redacted]' }, secrets: '[redacted]' });
  });
});
