import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { agentPattern, AgentPatterns, HeartbeatSchema, RegisterRequestSchema, SecretsRequestSchema } from '@pfnlab/contracts';
import type { z } from 'zod';
import { Public } from '../auth/principal';
import { AgentsService } from './agents.service';

/** Validates a message or answers with an RpcException naming the problem (the agent logs it). */
function parse<T extends z.ZodType>(schema: T, data: unknown): z.output<T> {
  const r = schema.safeParse(data);
  if (!r.success) throw new RpcException({ status: 'invalid', message: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  return r.data;
}

async function answer<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RpcException) throw e;
    throw new RpcException({ status: 'error', message: (e as Error).message });
  }
}

/**
 * The agents' control channel (@nestjs/microservices, Redis transport),
 * made per deployment: the message patterns carry the Redis key prefix,
 * since the transport's channels are global and two deployments (or test
 * runs) sharing a Redis must not answer each other's agents. Marked public
 * for the HTTP guard: each message carries the agent's own token, checked
 * here. Handlers are idempotent: with several server replicas subscribed a
 * message may be handled more than once.
 */
export function agentGatewayController(prefix: string) {
  @Public()
  @Controller()
  class AgentGatewayController {
    constructor(readonly agents: AgentsService) {}

    @MessagePattern(agentPattern(prefix, AgentPatterns.register))
    register(@Payload() data: unknown) {
      return answer(() => this.agents.register(parse(RegisterRequestSchema, data)));
    }

    @MessagePattern(agentPattern(prefix, AgentPatterns.heartbeat))
    async heartbeat(@Payload() data: unknown) {
      const hb = parse(HeartbeatSchema, data);
      return answer(async () => {
        await this.agents.heartbeat(hb.agentId, hb.token);
        return { ok: true };
      });
    }

    @MessagePattern(agentPattern(prefix, AgentPatterns.runSecrets))
    secrets(@Payload() data: unknown) {
      const req = parse(SecretsRequestSchema, data);
      return answer(() => this.agents.secretsForRun(req.agentId, req.token, req.runId, req.leaseToken));
    }
  }
  return AgentGatewayController;
}
