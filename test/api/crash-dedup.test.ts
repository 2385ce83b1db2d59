import { Client } from 'pg';
import { CrashRecorder, type CrashSighting } from '../../apps/server/src/crashes/crash-recorder';
import { startTestServer, type TestServer } from '../support/test-server';

const WARN: CrashSighting = {
  title: 'WARNING in free_zone_device_folio',
  type: 'WARNING',
  frame: 'free_zone_device_folio',
  corrupted: false,
  count: 1,
  report: 'WARNING: CPU: 12 PID: 878 at mm/memremap.c:436 free_zone_device_folio+0x6e/0x140',
};

describe('crash dedup by title', () => {
  let s: TestServer;
  let pg: Client;
  const machines: Record<string, string> = {};

  beforeAll(async () => {
    s = await startTestServer({ label: 'crashes' });
    pg = new Client({ connectionString: s.db.url });
    await pg.connect();
    const lab = (await pg.query(`INSERT INTO labs (name) VALUES ('vlab') RETURNING id`)).rows[0].id;
    for (const [name, arch, platform] of [['z15-lpar-01', 's390x', 'z15-lpar'], ['x86-01', 'x86_64', 'x86-server']]) {
      machines[name] = (await pg.query(`INSERT INTO machines (name, lab_id, arch, platform, memory_mib, power, console, boot) VALUES ($1, $2, $3, $4, 2048, '{}', '{}', '{}') RETURNING id`, [name, lab, arch, platform])).rows[0].id;
    }
  });
  afterAll(async () => {
    await pg.end();
    await s.close();
  });

  it('makes the same bug on two machines one row with two occurrences', async () => {
    const rec = s.app.get(CrashRecorder);
    await rec.record([{ ...WARN, count: 2 }], { runId: null, machineId: machines['z15-lpar-01'], arch: 's390x', kernelVersion: '6.14.0-rc3-next-20250220' });
    await rec.record([WARN, { ...WARN, title: 'kernel BUG in __split_huge_pmd_locked', type: 'BUG', frame: '__split_huge_pmd_locked' }], {
      runId: null,
      machineId: machines['x86-01'],
      arch: 'x86_64',
      kernelVersion: '6.15.0',
    });
    const rows = (await pg.query(`SELECT title, count, arches FROM crashes ORDER BY title`)).rows;
    expect(rows).toEqual([
      { title: 'WARNING in free_zone_device_folio', count: 3, arches: ['s390x', 'x86_64'] },
      { title: 'kernel BUG in __split_huge_pmd_locked', count: 1, arches: ['x86_64'] },
    ]);
    const list = await (await s.api('/api/crashes')).json();
    const warn = list.find((c: { title: string }) => c.title === WARN.title);
    const shown = await (await s.api(`/api/crashes/${warn.id}`)).json();
    expect(shown.machines).toEqual(['x86-01', 'z15-lpar-01']);
    expect(shown.kernelVersions).toEqual(['6.14.0-rc3-next-20250220', '6.15.0']);
    expect(shown.occurrences).toHaveLength(2);
  });

  it('counts concurrent sightings exactly, in one row', async () => {
    const rec = s.app.get(CrashRecorder);
    const title = 'INFO: rcu detected stall in offline_pages';
    await Promise.all(Array.from({ length: 20 }, () => rec.record([{ ...WARN, title, type: 'HANG' }], { runId: null, machineId: machines['x86-01'], arch: 'x86_64', kernelVersion: null })));
    expect((await pg.query(`SELECT count, (SELECT count(*)::int FROM crash_occurrences o WHERE o.crash_id = c.id) AS n FROM crashes c WHERE title = $1`, [title])).rows).toEqual([{ count: 20, n: 20 }]);
  });
});
