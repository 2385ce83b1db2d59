import { z } from 'zod';
import { BuildEventSchema } from './build-events';
import { InventoryMachineSchema } from './inventory';
import { PayloadResultEventSchema } from './payload-events';
import { JobSpecSchema, RUN_STEPS } from './job-spec';
import { NameSchema } from './safe-strings';
import { VERDICTS } from './verdict';

/*
 * The server <-> agent contract, version 1. Control messages (register,
 * heartbeat, secrets) are request/response over @nestjs/microservices
 * (Redis transport). Work goes to an agent through a BullMQ queue per lab;
 * what comes back from a run (step events, console lines, the verdict)
 * goes through Redis Streams with a consumer group, so it survives a
 * server restart and exactly one server replica handles each entry.
 * Every name carries its version: a v2 runs beside v1 during an upgrade.
 */
export const AGENT_PROTOCOL_VERSION = 1;

export const AgentPatterns = {
  register: 'pfnlab.agent.register.v1',
  heartbeat: 'pfnlab.agent.heartbeat.v1',
  runSecrets: 'pfnlab.run.secrets.v1',
} as const;

/** A control message's pattern within one deployment (its Redis key prefix). */
export const agentPattern = (prefix: string, pattern: string) => `${prefix}:${pattern}`;

/** BullMQ queue that carries runs to the agent of `lab`. */
export const runQueueName = (lab: string) => `runs.${lab}`;
/** Redis Streams (under the deployment's key prefix). */
export const RUN_EVENTS_STREAM = 'run-events.v1';
export const CONSOLE_STREAM = 'console.v1';
/** Pub/sub channel the server publishes a run's stored console lines on (live views). */
export const consoleLiveChannel = (runId: string) => `console-live.v1.${runId}`;

const Uuid = z.string().uuid();
const Token = z.string().min(10).max(200);

export const RegisterRequestSchema = z.strictObject({
  lab: NameSchema,
  agent: NameSchema,
  token: Token,
  version: z.string().max(50),
  protocol: z.literal(AGENT_PROTOCOL_VERSION),
  machines: z.array(InventoryMachineSchema).max(2000),
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;
export interface RegisterResponse {
  agentId: string;
  labId: string;
  machines: number;
}

export const HeartbeatSchema = z.strictObject({
  agentId: Uuid,
  token: Token,
  runs: z.array(Uuid).max(1000),
});

export const SecretsRequestSchema = z.strictObject({ agentId: Uuid, token: Token, runId: Uuid, leaseToken: z.string().regex(/^\d+$/) });

/** A run as the agent receives it. */
export const RunDispatchSchema = z.strictObject({
  runId: Uuid,
  jobId: Uuid,
  machine: NameSchema,
  leaseToken: z.string().regex(/^\d+$/),
  leaseExpiresAt: z.string(),
  spec: JobSpecSchema,
  attempt: z.number().int().min(1),
  iteration: z.number().int().min(0),
});
export type RunDispatch = z.infer<typeof RunDispatchSchema>;

export const StepEventSchema = z.strictObject({
  type: z.literal('step'),
  runId: Uuid,
  leaseToken: z.string(),
  step: z.enum(RUN_STEPS),
  seq: z.number().int().min(0),
  state: z.enum(['running', 'ok', 'failed', 'skipped']),
  at: z.string(),
  timeoutSeconds: z.number().int().optional(),
  error: z.string().max(4000).optional(),
});

export const CrashSummarySchema = z.strictObject({
  title: z.string().max(200),
  type: z.string().max(50),
  frame: z.string().max(200).nullable(),
  corrupted: z.boolean(),
  count: z.number().int().min(1),
  report: z.string().max(65536),
  startLine: z.number().int(),
});

export const MilestoneSummarySchema = z.strictObject({
  name: z.string().max(50),
  line: z.number().int(),
  time: z.number().nullable(),
  /** Seconds since the run's console capture started. */
  at: z.number(),
});

/**
 * The verdict, sent as soon as the evidence exists (a panic line), before
 * the machine is recovered: the run keeps its lease until `finished`.
 */
export const VerdictEventSchema = z.strictObject({
  type: z.literal('verdict'),
  runId: Uuid,
  leaseToken: z.string(),
  verdict: z.enum(VERDICTS),
  reason: z.string().max(2000),
  failedStep: z.enum(RUN_STEPS).nullable(),
  kernelVersion: z.string().max(200).nullable(),
  milestones: z.array(MilestoneSummarySchema).max(100),
  crashes: z.array(CrashSummarySchema).max(50),
  at: z.string(),
});

/** The run is over: the machine is recovered (or left for recovery) and its lease can go. */
export const FinishedEventSchema = z.strictObject({
  type: z.literal('finished'),
  runId: Uuid,
  leaseToken: z.string(),
  /** Console lines the agent produced (the server compares with what it stored). */
  consoleLines: z.number().int().min(0),
  /** State the agent left the machine in: `good` after a clean boot or recovery, `unknown` otherwise. */
  machineState: z.enum(['good', 'unknown']),
  /**
   * The agent sent this run's verdict before its end. Server replicas share
   * the stream, so the end may be applied first: the server then waits for
   * the verdict instead of ending the run without one.
   */
  verdictSent: z.boolean().optional(),
  at: z.string(),
});

export const RunEventSchema = z.discriminatedUnion('type', [StepEventSchema, VerdictEventSchema, FinishedEventSchema, BuildEventSchema, PayloadResultEventSchema]);
export type RunEvent = z.infer<typeof RunEventSchema>;
export type VerdictEvent = z.infer<typeof VerdictEventSchema>;
export type FinishedEvent = z.infer<typeof FinishedEventSchema>;

/** A batch of consecutive console lines of one run. */
export const ConsoleBatchSchema = z.strictObject({
  runId: Uuid,
  /** Sequence number of the first line; lines are consecutive. */
  seq: z.number().int().min(0),
  lines: z.array(z.string().max(16384)).min(1).max(5000),
});
export type ConsoleBatch = z.infer<typeof ConsoleBatchSchema>;

/** Key (under the prefix) that says a run is canceled; the agent checks it between steps. */
export const runCancelKey = (runId: string) => `run-cancel.v1:${runId}`;
/** Channel on which cancellations are announced, so a running step stops promptly. */
export const RUN_CANCEL_CHANNEL = 'run-cancel.v1';
