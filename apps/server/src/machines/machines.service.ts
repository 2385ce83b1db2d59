import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import type { Health, StoredSecretKind } from '@pfnlab/contracts';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { LabEntity, MachineEntity, MachineHealthEventEntity, MachineSecretEntity } from '../db/entities';
import { SecretBox } from '../secrets/secret-box';
import { type CreateMachine, machineColumns, publicMachine, storedRefs, type UpdateMachine } from './machine-dto';

export type PublicMachine = ReturnType<typeof publicMachine>;

@Injectable()
export class MachinesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(MachineEntity) private readonly machines: Repository<MachineEntity>,
    @InjectRepository(MachineSecretEntity) private readonly secrets: Repository<MachineSecretEntity>,
    @InjectRepository(MachineHealthEventEntity) private readonly healthEvents: Repository<MachineHealthEventEntity>,
    @Inject(SecretBox) private readonly box: SecretBox,
    private readonly audit: AuditService,
  ) {}

  async list(filter: { arch?: string; health?: Health; lab?: string; tag?: string }): Promise<PublicMachine[]> {
    const qb = this.machines.createQueryBuilder('m').leftJoinAndSelect('m.lab', 'lab').orderBy('m.name', 'ASC');
    if (filter.arch) qb.andWhere('m.arch = :arch', { arch: filter.arch });
    if (filter.health) qb.andWhere('m.health = :health', { health: filter.health });
    if (filter.lab) qb.andWhere('lab.name = :lab', { lab: filter.lab });
    if (filter.tag) qb.andWhere(':tag = ANY(m.tags)', { tag: filter.tag });
    const rows = await qb.getMany();
    const kinds = await this.secretKinds(rows.map((r) => r.id));
    return rows.map((m) => publicMachine(m, undefined, kinds.get(m.id) ?? []));
  }

  async show(name: string): Promise<PublicMachine> {
    const m = await this.find(name);
    return publicMachine(m, undefined, (await this.secretKinds([m.id])).get(m.id) ?? []);
  }

  async create(body: CreateMachine, by: Principal): Promise<PublicMachine> {
    const { lab: labName, secrets = {}, ...settings } = body;
    this.checkSecretsCover(settings, Object.keys(secrets) as StoredSecretKind[]);
    const id = await this.db.transaction(async (em) => {
      if (await em.exists(MachineEntity, { where: { name: settings.name } })) throw new ConflictException(`machine "${settings.name}" exists`);
      const lab = await this.labNamed(em, labName);
      const m = em.create(MachineEntity, { name: settings.name, labId: lab.id, ...machineColumns(settings), health: 'unknown' });
      await em.insert(MachineEntity, m);
      await this.writeSecrets(em, m.id, secrets);
      await em.insert(MachineHealthEventEntity, { machineId: m.id, fromState: null, toState: 'unknown', reason: 'machine added', actor: by.userName });
      await this.audit.record(by, { action: 'machine.create', targetType: 'machine', targetId: m.id, details: { ...body, secrets: Object.keys(secrets) } }, em);
      return m.id;
    });
    return this.show((await this.machines.findOneByOrFail({ id })).name);
  }

  async update(name: string, patch: UpdateMachine, by: Principal): Promise<PublicMachine> {
    const { secrets = {}, memoryMiB, ...rest } = patch;
    await this.db.transaction(async (em) => {
      const m = await em.findOne(MachineEntity, { where: { name }, lock: { mode: 'pessimistic_write' } });
      if (!m) throw new NotFoundException(`no machine "${name}"`);
      const merged = { power: rest.power ?? m.power, console: rest.console ?? m.console, boot: rest.boot ?? m.boot, ssh: rest.ssh ?? m.ssh };
      const existing = (await em.find(MachineSecretEntity, { where: { machineId: m.id } })).map((s) => s.kind);
      this.checkSecretsCover(merged, [...existing, ...(Object.keys(secrets) as StoredSecretKind[])]);
      const changes: Partial<MachineEntity> = {};
      if (memoryMiB !== undefined) changes.memoryMib = memoryMiB;
      for (const key of ['platform', 'cpus', 'tags', 'power', 'console', 'boot', 'ssh', 'hotplug', 'description'] as const) {
        if (rest[key] !== undefined) (changes as Record<string, unknown>)[key] = rest[key];
      }
      if (Object.keys(changes).length) await em.update(MachineEntity, { id: m.id }, changes);
      await this.writeSecrets(em, m.id, secrets);
      await this.audit.record(by, { action: 'machine.update', targetType: 'machine', targetId: m.id, details: { ...patch, secrets: Object.keys(secrets) } }, em);
    });
    return this.show(name);
  }

  async remove(name: string, by: Principal): Promise<void> {
    await this.db.transaction(async (em) => {
      const m = await em.findOne(MachineEntity, { where: { name }, lock: { mode: 'pessimistic_write' } });
      if (!m) throw new NotFoundException(`no machine "${name}"`);
      if (m.leaseRunId && m.leaseExpiresAt && m.leaseExpiresAt > new Date()) {
        throw new ConflictException(`machine "${name}" is leased by run ${m.leaseRunId}; cancel it or put the machine in maintenance first`);
      }
      await em.delete(MachineEntity, { id: m.id });
      await this.audit.record(by, { action: 'machine.delete', targetType: 'machine', targetId: m.id, details: { name } }, em);
    });
  }

  /**
   * Maintenance on takes the machine out of scheduling at once (a running
   * job finishes). Off puts it back as `unknown`: it must pass a health
   * check before it gets jobs again.
   */
  async setMaintenance(name: string, on: boolean, reason: string, by: Principal): Promise<PublicMachine> {
    await this.db.transaction(async (em) => {
      const m = await em.findOne(MachineEntity, { where: { name }, lock: { mode: 'pessimistic_write' } });
      if (!m) throw new NotFoundException(`no machine "${name}"`);
      if (m.health === 'retired') throw new ConflictException(`machine "${name}" is retired`);
      const to: Health = on ? 'maintenance' : 'unknown';
      if (!on && m.health !== 'maintenance') throw new ConflictException(`machine "${name}" is not in maintenance (it is ${m.health})`);
      if (m.health !== to) {
        await em.update(MachineEntity, { id: m.id }, { health: to, healthChangedAt: new Date() });
        await em.insert(MachineHealthEventEntity, { machineId: m.id, fromState: m.health, toState: to, reason, actor: by.userName });
      }
      await this.audit.record(by, { action: on ? 'machine.maintenance.on' : 'machine.maintenance.off', targetType: 'machine', targetId: m.id, details: { reason } }, em);
    });
    return this.show(name);
  }

  async healthHistory(name: string, limit = 100): Promise<MachineHealthEventEntity[]> {
    const m = await this.find(name);
    return this.healthEvents.find({ where: { machineId: m.id }, order: { at: 'DESC', id: 'DESC' }, take: limit });
  }

  /** Decrypted secrets of a machine, for dispatch to its agent only; never for API responses. */
  async secretsFor(machineId: string): Promise<Partial<Record<StoredSecretKind, string>>> {
    const rows = await this.secrets.find({ where: { machineId } });
    return Object.fromEntries(rows.map((r) => [r.kind, this.box.decrypt(r.ciphertext)]));
  }

  async find(name: string): Promise<MachineEntity> {
    const m = await this.machines.findOne({ where: { name }, relations: { lab: true } });
    if (!m) throw new NotFoundException(`no machine "${name}"; see \`pfnlab machines ls\``);
    return m;
  }

  private checkSecretsCover(settings: unknown, available: StoredSecretKind[]): void {
    const missing = storedRefs(settings).filter((k) => !available.includes(k));
    if (missing.length) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'settings reference stored secrets that were not given',
        problems: missing.map((k) => ({ path: `secrets.${k}`, message: `referenced as "stored:${k}" but not provided` })),
      });
    }
  }

  private async writeSecrets(em: EntityManager, machineId: string, secrets: Partial<Record<StoredSecretKind, string>>): Promise<void> {
    for (const [kind, value] of Object.entries(secrets)) {
      if (value === undefined) continue;
      await em.upsert(MachineSecretEntity, { machineId, kind: kind as StoredSecretKind, ciphertext: this.box.encrypt(value) }, ['machineId', 'kind']);
    }
  }

  private async labNamed(em: EntityManager, name: string): Promise<LabEntity> {
    await em.createQueryBuilder().insert().into(LabEntity).values({ name }).orIgnore().execute();
    return em.findOneByOrFail(LabEntity, { name });
  }

  private async secretKinds(machineIds: string[]): Promise<Map<string, StoredSecretKind[]>> {
    const out = new Map<string, StoredSecretKind[]>();
    if (!machineIds.length) return out;
    const rows = await this.secrets.createQueryBuilder('s').select(['s.machineId', 's.kind']).where('s.machine_id IN (:...ids)', { ids: machineIds }).getMany();
    for (const r of rows) out.set(r.machineId, [...(out.get(r.machineId) ?? []), r.kind]);
    return out;
  }
}
