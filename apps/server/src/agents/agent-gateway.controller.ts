import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { AgentPatterns, HeartbeatSchema, RegisterRequestSchema, SecretsRequestSchema } from '@pfnlab/contracts';
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
 * The agents' control channel (@nestjs/microservices, Redis transport).
 * Marked public for the HTTP guard: each message carries the agent's own
 * token, checked here. Handlers are idempotent, since with several server
 * replicas subscribed a message may be handled more than once.
 */
@Public()
@Controller()
export class AgentGatewayController {
  private readonly log = new Logger('agent-gateway');
  constructor(private readonly agents: AgentsService) {}

  @MessagePattern(AgentPatterns.register)
  register(@Payload() data: unknown) {
    return answer(() => this.agents.register(parse(RegisterRequestSchema, data)));
  }

  @MessagePattern(AgentPatterns.heartbeat)
  async heartbeat(@Payload() data: unknown) {
    const hb = parse(HeartbeatSchema, data);
    return answer(async () => {
      await this.agents.heartbeat(hb.agentId, hb.token);
      return { ok: true };
    });
  }

  @MessagePattern(AgentPatterns.runSecrets)
  secrets(@Payload() data: unknown) {
    const req = parse(SecretsRequestSchema, data);
    return answer(() => this.agents.secretsForRun(req.agentId, req.token, req.runId, req.leaseToken));
  }
}
