import { Injectable, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import type { InventoryMachine, RegisterRequest, RegisterResponse } from '@pfnlab/contracts';
import { hashToken } from '../auth/token.service';
import { AgentEntity, LabEntity, MachineEntity, MachineHealthEventEntity, RunEntity } from '../db/entities';
import { machineColumns } from '../machines/machine-dto';
import { MachinesService } from '../machines/machines.service';

/** Agent tokens look like API tokens but can only act as their agent, for their lab's machines. */
export const AGENT_TOKEN_PREFIX = 'pfa_';

@Injectable()
export class AgentsService {
  private readonly log = new Logger(AgentsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(AgentEntity) private readonly agents: Repository<AgentEntity>,
    @InjectRepository(RunEntity) private readonly runs: Repository<RunEntity>,
    private readonly machines: MachinesService,
  ) {}

  /** Creates (or re-keys) the agent `name` of `lab`; the token is returned once. */
  async issueToken(labName: string, name: string): Promise<{ agentId: string; token: string }> {
    const token = AGENT_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    return this.db.transaction(async (em) => {
      await em.createQueryBuilder().insert().into(LabEntity).values({ name: labName }).orIgnore().execute();
      const lab = await em.findOneByOrFail(LabEntity, { name: labName });
      await em
        .createQueryBuilder()
        .insert()
        .into(AgentEntity)
        .values({ labId: lab.id, name, tokenHash: hashToken(token) })
        .orUpdate(['token_hash'], ['lab_id', 'name'])
        .execute();
      const agent = await em.findOneByOrFail(AgentEntity, { labId: lab.id, name });
      return { agentId: agent.id, token };
    });
  }

  /** The agent a token belongs to; UnauthorizedException otherwise. */
  async authenticate(token: string, agentId?: string): Promise<AgentEntity & { lab: LabEntity }> {
    const agent = await this.agents.findOne({ where: { tokenHash: hashToken(token) }, relations: { lab: true } });
    if (!agent || (agentId && agent.id !== agentId)) throw new UnauthorizedException('unknown agent token');
    return agent as AgentEntity & { lab: LabEntity };
  }

  /**
   * Registration: the agent's inventory is the truth about its lab's
   * machines. New machines start `unknown`; existing ones get the
   * inventory's settings and keep their health and history. A machine name
   * that belongs to another lab is refused (an agent acts only for its own).
   */
  async register(req: RegisterRequest): Promise<RegisterResponse> {
    const agent = await this.authenticate(req.token);
    if (agent.lab.name !== req.lab || agent.name !== req.agent) throw new UnauthorizedException(`this token belongs to agent ${agent.name} of lab ${agent.lab.name}`);
    await this.db.transaction(async (em) => {
      for (const m of req.machines) await this.upsertMachine(em.getRepository(MachineEntity), em.getRepository(MachineHealthEventEntity), agent.lab.id, m);
      await em.update(AgentEntity, { id: agent.id }, { version: req.version, lastHeartbeatAt: new Date() });
    });
    this.log.log(`agent ${agent.name} of lab ${agent.lab.name} registered with ${req.machines.length} machine(s)`);
    return { agentId: agent.id, labId: agent.lab.id, machines: req.machines.length };
  }

  async heartbeat(agentId: string, token: string): Promise<void> {
    await this.authenticate(token, agentId);
    await this.agents.update({ id: agentId }, { lastHeartbeatAt: new Date() });
  }

  /** Decrypted stored secrets of a run's machine, only for the agent of that machine's lab holding the run's lease. */
  async secretsForRun(agentId: string, token: string, runId: string, leaseToken: string) {
    const agent = await this.authenticate(token, agentId);
    const run = await this.runs.findOne({ where: { id: runId } });
    if (!run?.machineId) throw new NotFoundException(`no run ${runId} with a machine`);
    const machine = await this.db.getRepository(MachineEntity).findOneByOrFail({ id: run.machineId });
    if (machine.labId !== agent.labId || machine.leaseRunId !== runId || machine.leaseToken !== leaseToken) {
      throw new UnauthorizedException(`agent ${agent.name} does not hold the lease of run ${runId}`);
    }
    return this.machines.secretsFor(machine.id);
  }

  private async upsertMachine(repo: Repository<MachineEntity>, events: Repository<MachineHealthEventEntity>, labId: string, m: InventoryMachine): Promise<void> {
    const settings = machineColumns(m);
    const existing = await repo.findOne({ where: { name: m.name } });
    if (existing) {
      if (existing.labId !== labId) throw new UnauthorizedException(`machine ${m.name} belongs to another lab`);
      await repo.update({ id: existing.id }, settings);
      return;
    }
    const created = await repo.save(repo.create({ name: m.name, labId, health: 'unknown', ...settings }));
    await events.insert({ machineId: created.id, fromState: null, toState: 'unknown', reason: 'registered by agent', actor: 'agent' });
  }
}
