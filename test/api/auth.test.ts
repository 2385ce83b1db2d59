import { Client } from 'pg';
import { hashToken } from '../../apps/server/src/auth/token.service';
import { startTestServer, tokenFor, type TestServer } from '../support/test-server';

const JOB = { kernel: { tree: '/srv/linux', ref: 'main' }, arch: 'x86_64', target: { machine: 'x86-01' } };

describe('authentication and roles', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ label: 'auth' });
  });
  afterAll(async () => s.close());

  it('refuses requests without a token, or with an unknown one, with 401 and a hint', async () => {
    const none = await s.api('/api/jobs', { token: null });
    expect(none.status).toBe(401);
    expect((await none.json()).message).toMatch(/pfnlab login/);
    expect((await s.api('/api/jobs', { token: 'pfn_not-a-real-token' })).status).toBe(401);
    expect((await s.api('/api/jobs', { method: 'POST', token: null, json: JOB })).status).toBe(401);
    expect((await s.api('/api/jobs', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' }, token: null })).status).toBe(401);
  });

  it('lets the health checks and the API docs through without a token', async () => {
    expect((await s.api('/healthz', { token: null })).status).toBe(200);
    expect((await s.api('/api/openapi.json', { token: null })).status).toBe(200);
  });

  it('gives each role what it may do and 403 beyond', async () => {
    const viewer = (await tokenFor(s, 'v1', 'viewer')).token;
    const operator = (await tokenFor(s, 'o1', 'operator')).token;
    expect((await s.api('/api/jobs', { token: viewer })).status).toBe(200);
    const denied = await s.api('/api/jobs', { method: 'POST', token: viewer, json: JOB });
    expect(denied.status).toBe(403);
    expect((await denied.json()).message).toMatch(/needs the operator role; your token has viewer/);
    expect((await s.api('/api/jobs', { method: 'POST', token: operator, json: JOB })).status).toBe(201);
    // Machine edits and user management are for admins.
    expect((await s.api('/api/users', { method: 'POST', token: operator, json: { name: 'x', role: 'admin' } })).status).toBe(403);
    expect((await s.api('/api/audit', { token: operator })).status).toBe(403);
    expect((await s.api('/api/machines', { method: 'POST', token: operator, json: {} })).status).toBe(403);
  });

  it('stops accepting a revoked token at once', async () => {
    const { token, tokenId } = await tokenFor(s, 'r1', 'operator');
    expect((await s.api('/api/auth/whoami', { token })).status).toBe(200);
    expect((await s.api(`/api/tokens/${tokenId}/revoke`, { method: 'POST' })).status).toBe(200);
    expect((await s.api('/api/auth/whoami', { token })).status).toBe(401);
    expect((await s.api(`/api/tokens/${tokenId}/revoke`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses expired tokens and caps a token at its user role', async () => {
    const { token, tokenId, userId } = await tokenFor(s, 'e1', 'operator');
    const pg = new Client({ connectionString: s.db.url });
    await pg.connect();
    try {
      await pg.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [tokenId]);
      expect((await s.api('/api/auth/whoami', { token })).status).toBe(401);
      const t2 = await (await s.api(`/api/users/${userId}/tokens`, { method: 'POST', json: { name: 'second' } })).json();
      await pg.query(`UPDATE users SET role = 'viewer' WHERE id = $1`, [userId]);
      expect(await (await s.api('/api/auth/whoami', { token: t2.token })).json()).toMatchObject({ role: 'viewer' });
      expect((await s.api(`/api/users/${userId}/tokens`, { method: 'POST', json: { name: 'too-much', role: 'admin' } })).status).toBe(404);
      await pg.query(`UPDATE users SET disabled = true WHERE id = $1`, [userId]);
      expect((await s.api('/api/auth/whoami', { token: t2.token })).status).toBe(401);
    } finally {
      await pg.end();
    }
  });

  it('stores tokens only as hashes and never lists them', async () => {
    const { token } = await tokenFor(s, 'h1', 'viewer');
    const pg = new Client({ connectionString: s.db.url });
    await pg.connect();
    try {
      const rows = (await pg.query('SELECT token_hash FROM api_tokens')).rows.map((r) => r.token_hash);
      expect(rows).toContain(hashToken(token));
      expect(JSON.stringify(rows)).not.toContain(token);
    } finally {
      await pg.end();
    }
    const listed = await (await s.api('/api/tokens')).text();
    expect(listed).not.toContain(token);
    expect(listed).not.toMatch(/token_?hash/i);
  });

  it('the bootstrap refuses to mint a second admin token', async () => {
    const { bootstrapAdmin } = await import('../../apps/server/src/admin');
    expect(await bootstrapAdmin(s.db.url)).toEqual({ exists: true });
  });
});
