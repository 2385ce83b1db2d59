import { Logger } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { AGENT_PROTOCOL_VERSION, agentPattern, AgentPatterns, redisAddress, type Inventory, type RegisterResponse, type StoredSecretKind } from '@pfnlab/contracts';
import type { AgentConfig } from './agent-config';

/**
 * The agent's control channel to the server (@nestjs/microservices, Redis
 * transport): registration with the inventory, heartbeats, and the stored
 * secrets of a run's machine. Each call has a timeout; registration retries
 * until the server answers, so agent and server can start in any order.
 */
export class ServerLink {
  private readonly log = new Logger('server-link');
  private readonly client: ClientProxy;
  agentId?: string;

  constructor(private readonly config: AgentConfig) {
    this.client = ClientProxyFactory.create({ transport: Transport.REDIS, options: redisAddress(config.redisUrl) });
  }

  private call<T>(pattern: string, data: unknown, ms = 10_000): Promise<T> {
    return firstValueFrom(this.client.send<T>(agentPattern(this.config.redisPrefix, pattern), data).pipe(timeout(ms)));
  }

  async register(inv: Inventory, version: string, stop: () => boolean = () => false): Promise<RegisterResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.call<RegisterResponse>(AgentPatterns.register, {
          lab: inv.lab,
          agent: this.config.name,
          token: this.config.token,
          version,
          protocol: AGENT_PROTOCOL_VERSION,
          machines: inv.machines,
        });
        this.agentId = r.agentId;
        return r;
      } catch (e) {
        const msg = (e as { message?: string })?.message ?? String(e);
        // A refusal (bad token, foreign machine) will not change by retrying.
        if (/agent token|belongs to/.test(msg)) throw new Error(`the server refused this agent: ${msg}`);
        if (stop()) throw e;
        if (attempt === 1 || attempt % 10 === 0) this.log.warn(`server not answering registration (${msg}); retrying`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 500 * attempt)));
      }
    }
  }

  async heartbeat(runs: string[]): Promise<void> {
    if (!this.agentId) return;
    await this.call(AgentPatterns.heartbeat, { agentId: this.agentId, token: this.config.token, runs }, 5000);
  }

  async secrets(runId: string, leaseToken: string): Promise<Partial<Record<StoredSecretKind, string>>> {
    return this.call(AgentPatterns.runSecrets, { agentId: this.agentId, token: this.config.token, runId, leaseToken });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
