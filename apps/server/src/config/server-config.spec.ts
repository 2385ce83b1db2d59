import { loadServerConfig } from './server-config';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1/db', REDIS_URL: 'redis://127.0.0.1:6379', PFNLAB_SECRETS_KEY: 'a'.repeat(64) };

describe('loadServerConfig', () => {
  it('accepts a valid environment with defaults', () => {
    const c = loadServerConfig(base);
    expect(c.port).toBe(8080);
    expect(c.secretsKey.length).toBe(32);
    expect(c.redisPrefix).toBe('pfnlab');
  });

  it('names every bad variable', () => {
    expect(() => loadServerConfig({ ...base, REDIS_URL: 'http://x', PFNLAB_SECRETS_KEY: 'short', PORT: 'abc' })).toThrow(
      /REDIS_URL[\s\S]*PFNLAB_SECRETS_KEY[\s\S]*PORT|REDIS_URL[\s\S]*PORT[\s\S]*PFNLAB_SECRETS_KEY/,
    );
    expect(() => loadServerConfig({ REDIS_URL: base.REDIS_URL, PFNLAB_SECRETS_KEY: base.PFNLAB_SECRETS_KEY })).toThrow(/DATABASE_URL/);
  });

  it('decodes base64 keys and rejects malformed old keys', () => {
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadServerConfig({ ...base, PFNLAB_SECRETS_KEY: b64 }).secretsKey).toEqual(Buffer.alloc(32, 7));
    expect(() => loadServerConfig({ ...base, PFNLAB_SECRETS_KEYS_OLD: 'nope' })).toThrow(/PFNLAB_SECRETS_KEYS_OLD/);
  });
});
