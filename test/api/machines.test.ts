import IORedis from 'ioredis';
import { Client } from 'pg';
import { startTestServer, tokenFor, type TestServer } from '../support/test-server';

const BMC_PASSWORD = 'Sup3r-Secret-BMC-pw!';
const SSH_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----';

const X86 = {
  name: 'x86-07',
  lab: 'lab-berlin',
  arch: 'x86_64',
  platform: 'x86-server',
  memoryMiB: 65536,
  tags: ['numa', 'cxl'],
  power: { driver: 'ipmi', host: '10.1.2.3', username: 'ADMIN', passwordRef: 'stored:power-password' },
  console: { driver: 'ipmi-sol' },
  boot: { method: 'kexec', consoleParams: ['console=ttyS0,115200'], earlyconParams: ['earlycon=uart8250,io,0x3f8,115200'] },
  ssh: { host: '10.1.2.4', username: 'root', privateKeyRef: 'stored:ssh-private-key' },
  secrets: { 'power-password': BMC_PASSWORD, 'ssh-private-key': SSH_KEY },
};

describe('machines API', () => {
  let s: TestServer;
  let operator: string;
  let viewer: string;
  let pg: Client;

  beforeAll(async () => {
    s = await startTestServer({ label: 'machines' });
    operator = (await tokenFor(s, 'op', 'operator')).token;
    viewer = (await tokenFor(s, 'vi', 'viewer')).token;
    pg = new Client({ connectionString: s.db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await s.close();
  });

  it('creates a machine; secrets are encrypted at rest and never returned', async () => {
    const res = await s.api('/api/machines', { method: 'POST', json: X86 });
    const text = await res.text();
    expect(res.status).toBe(201);
    expect(text).not.toContain(BMC_PASSWORD);
    expect(text).not.toContain('BEGIN OPENSSH');
    const m = JSON.parse(text);
    expect(m).toMatchObject({ name: 'x86-07', lab: 'lab-berlin', health: 'unknown', secrets: { 'power-password': true, 'ssh-private-key': true, 'ssh-password': false } });

    const stored = (await pg.query('SELECT ciphertext FROM machine_secrets')).rows.map((r) => r.ciphertext).join('\n');
    expect(stored).not.toContain(BMC_PASSWORD);
    expect(stored).toMatch(/^v1\./);
    const { MachinesService } = await import('../../apps/server/src/machines/machines.service');
    expect(await s.app.get(MachinesService).secretsFor(m.id)).toEqual({ 'power-password': BMC_PASSWORD, 'ssh-private-key': SSH_KEY });

    for (const path of ['/api/machines', '/api/machines/x86-07', '/api/audit']) {
      const body = await (await s.api(path)).text();
      expect(body).not.toContain(BMC_PASSWORD);
      expect(body).not.toContain('BEGIN OPENSSH');
    }
    const audit = (await pg.query(`SELECT details::text FROM audit_log WHERE action = 'machine.create'`)).rows;
    expect(audit).toHaveLength(1);
    expect(audit[0].details).not.toContain(BMC_PASSWORD);
  });

  it('refuses stored-secret references without the secret, unknown fields and unsafe values', async () => {
    const { secrets: _s, ...noSecrets } = X86;
    const r1 = await s.api('/api/machines', { method: 'POST', json: { ...noSecrets, name: 'x86-08' } });
    expect(r1.status).toBe(400);
    expect((await r1.json()).problems.map((p: { path: string }) => p.path).sort()).toEqual(['secrets.power-password', 'secrets.ssh-private-key']);
    const r2 = await s.api('/api/machines', { method: 'POST', json: { ...X86, name: 'x86-09', power: { ...X86.power, host: '10.0.0.1;reboot' }, colour: 'red' } });
    expect(r2.status).toBe(400);
    expect((await r2.json()).problems.map((p: { path: string }) => p.path).sort()).toEqual(['colour', 'power.host']);
    expect((await pg.query(`SELECT count(*) FROM machines WHERE name IN ('x86-08','x86-09')`)).rows[0].count).toBe('0');
    expect((await s.api('/api/machines', { method: 'POST', json: X86 })).status).toBe(409);
  });

  it('filters the list by arch, health, lab and tag', async () => {
    await s.api('/api/machines', {
      method: 'POST',
      json: { name: 'tx2-02', lab: 'lab-berlin', arch: 'arm64', platform: 'thunderx2', memoryMiB: 262144, power: { driver: 'redfish', baseUrl: 'https://10.1.2.9', username: 'admin', passwordRef: 'env:TX2_BMC_PW' }, console: { driver: 'tcp', host: '10.1.2.10', port: 7001 }, boot: { method: 'grub-oneshot' } },
    });
    const names = async (q: string) => ((await (await s.api(`/api/machines${q}`, { token: viewer })).json()) as Array<{ name: string }>).map((m) => m.name);
    expect(await names('')).toEqual(['tx2-02', 'x86-07']);
    expect(await names('?arch=arm64')).toEqual(['tx2-02']);
    expect(await names('?tag=cxl')).toEqual(['x86-07']);
    expect(await names('?lab=elsewhere')).toEqual([]);
    expect(await names('?health=maintenance')).toEqual([]);
  });

  it('maintenance: operator may, viewer may not; history and audit record it', async () => {
    expect((await s.api('/api/machines/x86-07/maintenance', { method: 'POST', token: viewer, json: { on: true } })).status).toBe(403);
    const on = await s.api('/api/machines/x86-07/maintenance', { method: 'POST', token: operator, json: { on: true, reason: 'DIMM swap' } });
    expect(on.status).toBe(200);
    expect((await on.json()).health).toBe('maintenance');
    const off = await (await s.api('/api/machines/x86-07/maintenance', { method: 'POST', token: operator, json: { on: false } })).json();
    expect(off.health).toBe('unknown');
    expect((await s.api('/api/machines/x86-07/maintenance', { method: 'POST', token: operator, json: { on: false } })).status).toBe(409);
    const history = await (await s.api('/api/machines/x86-07/health', { token: viewer })).json();
    expect(history.map((h: { toState: string; reason: string }) => `${h.toState}:${h.reason}`)).toEqual(['unknown:operator request', 'maintenance:DIMM swap', 'unknown:machine added']);
    const actions = (await pg.query(`SELECT action FROM audit_log WHERE target_type = 'machine' ORDER BY id`)).rows.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['machine.maintenance.on', 'machine.maintenance.off']));
  });

  it('queues power actions for the lab agent and audits them', async () => {
    const res = await s.api('/api/machines/x86-07/power', { method: 'POST', token: operator, json: { action: 'cycle' } });
    expect(res.status).toBe(202);
    const body = await res.json();
    const redis = new IORedis(s.config.redisUrl);
    try {
      const data = JSON.parse((await redis.hget(`${s.config.redisPrefix}:machine-commands.lab-berlin:${body.commandId}`, 'data'))!);
      expect(data).toEqual({ machine: 'x86-07', lab: 'lab-berlin', action: 'cycle', requestedBy: 'op' });
    } finally {
      redis.disconnect();
    }
    expect((await pg.query(`SELECT count(*) FROM audit_log WHERE action = 'machine.power.cycle'`)).rows[0].count).toBe('1');
    expect((await s.api('/api/machines/x86-07/power', { method: 'POST', token: operator, json: { action: 'explode' } })).status).toBe(400);
    expect((await s.api('/api/machines/nope/power', { method: 'POST', token: operator, json: { action: 'on' } })).status).toBe(404);
  });

  it('updates settings and secrets (admin) and deletes', async () => {
    const NEW_PW = 'rotated-bmc-pw-42';
    const res = await s.api('/api/machines/x86-07', { method: 'PATCH', json: { tags: ['numa'], secrets: { 'power-password': NEW_PW } } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(NEW_PW);
    expect(JSON.parse(text).tags).toEqual(['numa']);
    expect((await s.api('/api/machines/x86-07', { method: 'PATCH', token: operator, json: { tags: [] } })).status).toBe(403);
    expect((await s.api('/api/machines/tx2-02', { method: 'DELETE' })).status).toBe(204);
    expect((await s.api('/api/machines/tx2-02')).status).toBe(404);
  });

  it('never wrote a secret to the server log', () => {
    const log = s.logger.lines.join('\n');
    expect(log).not.toContain(BMC_PASSWORD);
    expect(log).not.toContain('rotated-bmc-pw-42');
    expect(log).not.toContain('BEGIN OPENSSH');
    expect(log).not.toContain(s.adminToken);
  });
});
