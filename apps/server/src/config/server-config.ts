import { z } from 'zod';

/*
 * Server configuration comes from the environment only, validated once at
 * start: a typo in REDIS_URL should stop the server with a message naming
 * the variable, not surface as a timeout an hour later.
 */
const urlWithScheme = (schemes: string[]) =>
  z.string().refine((v) => {
    try {
      return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${schemes.join(' or ')}`);

const SecretsKeySchema = z
  .string()
  .refine((v) => decodeKey(v)?.length === 32, 'must be 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)');

export const ServerEnvSchema = z.object({
  DATABASE_URL: urlWithScheme(['postgres', 'postgresql']),
  REDIS_URL: urlWithScheme(['redis', 'rediss']),
  PFNLAB_SECRETS_KEY: SecretsKeySchema,
  /** Earlier keys, comma-separated, still accepted for decryption during a rotation. */
  PFNLAB_SECRETS_KEYS_OLD: z.string().optional().default(''),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  /** Prefix of every Redis key (queues too), so several labs or test runs can share one Redis. */
  PFNLAB_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/).default('pfnlab'),
  PFNLAB_PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /**
   * What this process does: `api` (HTTP API and the agents' control channel)
   * and/or `workers` (dispatching jobs, ingesting console lines and run
   * events, reaping lost runs). Big labs run them as separate replicas.
   */
  PFNLAB_SERVER_ROLES: z
    .string()
    .default('api,workers')
    .refine((v) => v.split(',').every((r) => ['api', 'workers'].includes(r.trim())), 'must be a comma-separated list of api, workers'),
  /**
   * Health checks (boot the known-good kernel, reach SSH) of machines left
   * `unknown`, and of idle good machines every PFNLAB_HEALTH_CHECK_HOURS
   * (0: only the unknown ones). `off` for labs whose agents cannot boot.
   */
  PFNLAB_HEALTH_CHECKS: z.enum(['on', 'off']).default('on'),
  PFNLAB_HEALTH_CHECK_HOURS: z.coerce.number().min(0).max(24 * 365).default(24),
});

export interface ServerConfig {
  databaseUrl: string;
  redisUrl: string;
  secretsKey: Buffer;
  oldSecretsKeys: Buffer[];
  port: number;
  host: string;
  redisPrefix: string;
  publicUrl: string;
  logLevel: z.infer<typeof ServerEnvSchema>['LOG_LEVEL'];
  roles: { api: boolean; workers: boolean };
  healthChecks: { enabled: boolean; everyHours: number };
}

export class ConfigError extends Error {}

export function decodeKey(v: string): Buffer | undefined {
  const s = v.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(s)) return Buffer.from(s, 'base64');
  return undefined;
}

export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = ServerEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration (see .env.example):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const old = e.PFNLAB_SECRETS_KEYS_OLD.split(',').map((k) => k.trim()).filter(Boolean);
  const oldKeys = old.map((k, i) => {
    const key = decodeKey(k);
    if (!key || key.length !== 32) throw new ConfigError(`invalid configuration: PFNLAB_SECRETS_KEYS_OLD entry ${i + 1} is not a 32-byte key`);
    return key;
  });
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    secretsKey: decodeKey(e.PFNLAB_SECRETS_KEY)!,
    oldSecretsKeys: oldKeys,
    port: e.PORT,
    host: e.HOST,
    redisPrefix: e.PFNLAB_REDIS_PREFIX,
    publicUrl: e.PFNLAB_PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`,
    logLevel: e.LOG_LEVEL,
    roles: { api: e.PFNLAB_SERVER_ROLES.includes('api'), workers: e.PFNLAB_SERVER_ROLES.includes('workers') },
    healthChecks: { enabled: e.PFNLAB_HEALTH_CHECKS === 'on', everyHours: e.PFNLAB_HEALTH_CHECK_HOURS },
  };
}

export const SERVER_CONFIG = Symbol('SERVER_CONFIG');
