import { Client } from 'pg';
import type { InventoryMachine } from '@pfnlab/contracts';
import { ServerLink } from '../../apps/agent/src/server-link';
import { startTestServer, type TestServer } from '../support/test-server';

const MACHINE: InventoryMachine = {
  name: 'x86-01',
  arch: 'x86_64',
  platform: 'x86-server',
  memoryMiB: 1024,
  cpus: 1,
  tags: ['vlab'],
  power: { driver: 'ipmi', host: '127.0.0.1', port: 48104, username: 'admin', passwordRef: 'stored:power-password', cipherSuite: 3 },
  console: { driver: 'ipmi-sol', instance: 1 },
  boot: { method: 'netboot', consoleParams: ['console=ttyS0,115200'], earlyconParams: [] },
};

describe('agent control channel (@nestjs/microservices over Redis)', () => {
  let s: TestServer;
  let pg: Client;
  let token: string;
  const links: ServerLink[] = [];
  const link = (t: string, name = 'agent-a') => {
    const l = new ServerLink({ inventoryPath: '', name, token: t, redisUrl: s.config.redisUrl, redisPrefix: s.config.redisPrefix, stateDir: '', concurrency: 1, builder: null });
    links.push(l);
    return l;
  };

  beforeAll(async () => {
    s = await startTestServer({ label: 'agentproto' });
    token = (await (await s.api('/api/labs/lab-a/agents', { method: 'POST', json: { name: 'agent-a' } })).json()).token;
    pg = new Client({ connectionString: s.db.url });
    await pg.connect();
  });
  afterAll(async () => {
    for (const l of links) await l.close();
    await pg.end();
    await s.close();
  });

  it('registers the inventory and records heartbeats', async () => {
    const l = link(token);
    const r = await l.register({ version: 1, lab: 'lab-a', machines: [MACHINE] }, 'test');
    expect(r.machines).toBe(1);
    expect((await pg.query(`SELECT name, health FROM machines`)).rows).toEqual([{ name: 'x86-01', health: 'unknown' }]);
    await pg.query(`UPDATE agents SET last_heartbeat_at = now() - interval '1 hour'`);
    await l.heartbeat([]);
    const age = (await pg.query(`SELECT extract(epoch FROM now() - last_heartbeat_at) AS s FROM agents`)).rows[0].s;
    expect(Number(age)).toBeLessThan(10);
  });

  it('refuses a wrong token, and an agent claiming another lab', async () => {
    await expect(link('pfa_' + 'x'.repeat(40)).register({ version: 1, lab: 'lab-a', machines: [] }, 'test')).rejects.toThrow(/refused this agent/);
    const other = (await (await s.api('/api/labs/lab-b/agents', { method: 'POST', json: { name: 'agent-b' } })).json()).token;
    await expect(link(other, 'agent-b').register({ version: 1, lab: 'lab-b', machines: [MACHINE] }, 'test')).rejects.toThrow(/belongs to another lab/);
  });

  it('does not hear another deployment sharing the same Redis', async () => {
    const other = await startTestServer({ label: 'agentproto2' });
    try {
      // Both servers listen on the same Redis; only the one with this agent's prefix may answer.
      const r = await link(token).register({ version: 1, lab: 'lab-a', machines: [MACHINE] }, 'test');
      expect(r.machines).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('gives stored secrets only to the agent holding the run lease', async () => {
    await s.api('/api/machines/x86-01', { method: 'PATCH', json: { secrets: { 'power-password': 'bmc-pw-1' } } });
    const job = await (await s.api('/api/jobs', { method: 'POST', json: { kernel: { image: '/k' }, arch: 'x86_64', target: { machine: 'x86-01' } } })).json();
    const m = (await pg.query(`SELECT id FROM machines WHERE name = 'x86-01'`)).rows[0].id;
    const run = (await pg.query(`INSERT INTO runs (job_id, machine_id, lease_token) VALUES ($1, $2, 7) RETURNING id`, [job.id, m])).rows[0].id;
    await pg.query(`UPDATE machines SET lease_run_id = $1, lease_token = 7, lease_expires_at = now() + interval '1 hour' WHERE id = $2`, [run, m]);
    const l = link(token);
    await l.register({ version: 1, lab: 'lab-a', machines: [MACHINE] }, 'test');
    expect(await l.secrets(run, '7')).toEqual({ 'power-password': 'bmc-pw-1' });
    await expect(l.secrets(run, '6')).rejects.toBeTruthy();
  });
});
