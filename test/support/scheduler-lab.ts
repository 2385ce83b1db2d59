import { Client } from 'pg';
import { JobSpecSchema, type Arch, type JobSpecInput, type Platform } from '@pfnlab/contracts';
import { SeededRandom } from '@pfnlab/stats';

/*
 * A simulated lab written straight into PostgreSQL (the scheduler reads
 * only the database): labs, machines in service, users and queued jobs of
 * one run each. Every job can run on some machine, so a drained queue is
 * one PASS per job. Seeded: the same arguments give the same lab.
 */

export interface SchedulerLabOptions {
  labs: number;
  machines: number;
  jobs: number;
  users?: number;
  seed?: number;
}

export interface SchedulerLab {
  labs: string[];
  machines: Array<{ name: string; lab: string; arch: Arch }>;
  jobIds: string[];
}

const KINDS: Array<[Arch, Platform]> = [['x86_64', 'x86-server'], ['arm64', 'thunderx2'], ['ppc64le', 'power9'], ['s390x', 'z15-lpar']];
const TAGS = ['cxl', 'numa', 'pmem', 'kvm'];
const MEMORY = [16384, 65536, 262144];
const PRIORITIES = [25, 50, 50, 75, 100];
const ROWS_PER_INSERT = 1000;

async function insertRows(pg: Client, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const values = chunk.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
    await pg.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, chunk.flat());
  }
}

export async function seedSchedulerLab(databaseUrl: string, o: SchedulerLabOptions): Promise<SchedulerLab> {
  const rng = new SeededRandom(o.seed ?? 1);
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const labs = Array.from({ length: o.labs }, (_, i) => `lab-${i}`);
    const labIds = new Map<string, string>();
    for (const name of labs) labIds.set(name, (await pg.query(`INSERT INTO labs (name) VALUES ($1) RETURNING id`, [name])).rows[0].id);
    // Every lab has every kind of machine; one in four machines of each arch has a tag; all are in service.
    const machines = Array.from({ length: o.machines }, (_, i) => {
      const [arch, platform] = KINDS[i % KINDS.length];
      return { name: `sim-${String(i).padStart(4, '0')}`, lab: labs[Math.floor(i / KINDS.length) % labs.length], arch, platform, tags: Math.floor(i / KINDS.length) % 4 === 3 ? [TAGS[Math.floor(i / 16) % TAGS.length]] : [], memoryMiB: MEMORY[i % MEMORY.length] };
    });
    const power = JSON.stringify({ driver: 'ipmi', host: '127.0.0.1', username: 'admin', passwordRef: 'env:X' });
    await insertRows(pg, 'machines', ['name', 'lab_id', 'arch', 'platform', 'memory_mib', 'tags', 'power', 'console', 'boot', 'health'], machines.map((m) => [
      m.name, labIds.get(m.lab), m.arch, m.platform, m.memoryMiB, m.tags, power, JSON.stringify({ driver: 'ipmi-sol' }), JSON.stringify({ method: 'netboot', stagingDir: '/tmp/x/next' }), 'good',
    ]));
    const users: string[] = [];
    for (let i = 0; i < (o.users ?? 8); i++) users.push((await pg.query(`INSERT INTO users (name, role) VALUES ($1, 'operator') RETURNING id`, [`sim-user-${i}`])).rows[0].id);
    const jobs = Array.from({ length: o.jobs }, () => {
      const [arch] = KINDS[rng.int(KINDS.length)];
      // Targets are drawn from a machine of the arch, so each one matches at least that machine.
      const same = machines.filter((m) => m.arch === arch);
      const m = same[rng.int(same.length)];
      const u = rng.uniform();
      let target: JobSpecInput['target'];
      if (u < 0.6 || (u < 0.75 && !m.tags.length)) target = { selector: {} };
      else if (u < 0.75) target = { selector: { tags: m.tags } };
      else if (u < 0.9) target = { selector: { minMemoryMiB: m.memoryMiB } };
      else target = { machine: m.name };
      const spec = JobSpecSchema.parse({ kernel: { image: '/boot/vmlinuz' }, arch, target, priority: PRIORITIES[rng.int(PRIORITIES.length)] });
      // A few users submit most jobs: fair share has work to do.
      const user = users[Math.min(users.length - 1, Math.floor(users.length * rng.uniform() ** 2))];
      return [JSON.stringify(spec), arch, spec.priority, 'queued', user];
    });
    await insertRows(pg, 'jobs', ['spec', 'arch', 'priority', 'state', 'submitted_by'], jobs);
    const jobIds = (await pg.query(`SELECT id FROM jobs ORDER BY created_at, id`)).rows.map((r) => r.id as string);
    return { labs, machines: machines.map(({ name, lab, arch }) => ({ name, lab, arch })), jobIds };
  } finally {
    await pg.end();
  }
}
