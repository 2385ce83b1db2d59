import { z } from 'zod';
import { NameSchema } from '@pfnlab/contracts';

/** Agent configuration, from the environment only (see .env.example's agent section). */
const AgentEnvSchema = z.object({
  PFNLAB_INVENTORY: z.string().min(1),
  PFNLAB_AGENT_NAME: NameSchema.default('agent-1'),
  PFNLAB_AGENT_TOKEN: z.string().regex(/^pfa_[A-Za-z0-9_-]{20,}$/, 'must be an agent token (pfa_...) from POST /api/labs/LAB/agents'),
  REDIS_URL: z.string().url(),
  PFNLAB_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/).default('pfnlab'),
  /** Console spool and in-flight run records; must survive an agent restart. */
  PFNLAB_AGENT_STATE_DIR: z.string().min(1).default('/var/lib/pfnlab/agent'),
  PFNLAB_AGENT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(8),
});

export interface AgentConfig {
  inventoryPath: string;
  name: string;
  token: string;
  redisUrl: string;
  redisPrefix: string;
  stateDir: string;
  concurrency: number;
}

export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const r = AgentEnvSchema.safeParse(env);
  if (!r.success) throw new Error(`invalid agent configuration:\n${r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  const e = r.data;
  return {
    inventoryPath: e.PFNLAB_INVENTORY,
    name: e.PFNLAB_AGENT_NAME,
    token: e.PFNLAB_AGENT_TOKEN,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.PFNLAB_REDIS_PREFIX,
    stateDir: e.PFNLAB_AGENT_STATE_DIR,
    concurrency: e.PFNLAB_AGENT_CONCURRENCY,
  };
}
