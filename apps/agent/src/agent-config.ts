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
  /** The builder role: build the kernels of jobs with a `kernel:` source section (needs the toolchains). */
  PFNLAB_AGENT_BUILDER: z.enum(['0', '1']).default('0'),
  /** Kernel builds at once (each already uses every core). */
  PFNLAB_AGENT_BUILD_SLOTS: z.coerce.number().int().min(1).max(64).default(1),
  /** Mirrors, worktrees, ccache (default ~/.cache/pfnlab). */
  PFNLAB_BUILD_CACHE: z.string().startsWith('/', 'must be an absolute path').optional(),
  /** file:///path or s3://bucket/prefix?endpoint=...; default <build cache>/artifacts. */
  PFNLAB_ARTIFACT_STORE: z.string().min(1).optional(),
  /** Where relative patch paths of job specs are found, and stored configs (stored:NAME). */
  PFNLAB_AGENT_PATCH_DIR: z.string().startsWith('/', 'must be an absolute path').optional(),
  PFNLAB_AGENT_CONFIG_DIR: z.string().startsWith('/', 'must be an absolute path').optional(),
  /** Retention: stored builds unused for longer go; above the size, least recently used go first. */
  PFNLAB_ARTIFACT_MAX_AGE_DAYS: z.coerce.number().min(0.001).max(3650).default(30),
  PFNLAB_ARTIFACT_MAX_GIB: z.coerce.number().min(0.001).max(1_000_000).default(50),
});

export interface AgentConfig {
  inventoryPath: string;
  name: string;
  token: string;
  redisUrl: string;
  redisPrefix: string;
  stateDir: string;
  concurrency: number;
  /** Null when this agent does not build. */
  builder: { slots: number; cacheDir?: string; storeUrl?: string; patchDir: string; configDir: string; retention: { maxAgeDays: number; maxTotalBytes: number } } | null;
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
    builder: e.PFNLAB_AGENT_BUILDER === '1' ? {
      slots: e.PFNLAB_AGENT_BUILD_SLOTS,
      cacheDir: e.PFNLAB_BUILD_CACHE,
      storeUrl: e.PFNLAB_ARTIFACT_STORE,
      patchDir: e.PFNLAB_AGENT_PATCH_DIR ?? `${e.PFNLAB_AGENT_STATE_DIR}/patches`,
      configDir: e.PFNLAB_AGENT_CONFIG_DIR ?? `${e.PFNLAB_AGENT_STATE_DIR}/configs`,
      retention: { maxAgeDays: e.PFNLAB_ARTIFACT_MAX_AGE_DAYS, maxTotalBytes: Math.round(e.PFNLAB_ARTIFACT_MAX_GIB * 2 ** 30) },
    } : null,
  };
}
