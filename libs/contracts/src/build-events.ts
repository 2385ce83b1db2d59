import { z } from 'zod';
import { ArchSchema } from './arch';

/*
 * Kernel builds an agent makes for a run (the job spec's `kernel:` source
 * section), reported on the run-events stream beside the run's steps. The
 * agent picks the build's id; the server upserts by it, so a redelivered
 * event changes nothing. `running` events carry progress; exactly one
 * `finished` event carries the result.
 */

export const BUILD_PHASES = ['fetch', 'worktree', 'patch', 'config', 'compile', 'package'] as const;
export type BuildPhase = (typeof BUILD_PHASES)[number];
export const BUILD_STATUSES = ['PASS', 'FAIL', 'ERROR'] as const;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');

export const BuildProgressSchema = z.strictObject({
  phase: z.enum(BUILD_PHASES),
  /** 0-100 within the compile phase; null for the others. */
  percent: z.number().min(0).max(100).nullable(),
  message: z.string().max(500).optional(),
});
export type BuildProgressReport = z.infer<typeof BuildProgressSchema>;

/** What was asked for, as the job spec said it (sent with the first event). */
export const BuildRequestSummarySchema = z.strictObject({
  tree: z.string().max(1024),
  ref: z.string().max(200),
  arch: ArchSchema,
  configBase: z.string().max(200),
  fragments: z.array(z.string().max(320)).max(500),
  patches: z.array(z.string().max(1024)).max(200),
  toolchain: z.enum(['gcc', 'llvm']),
});

export const BuildArtifactSchema = z.strictObject({
  name: z.string().max(200).regex(/^[A-Za-z0-9._+-]+$/, 'is not an artifact file name'),
  bytes: z.number().int().min(0),
  sha256: Sha256,
});
export type BuildArtifact = z.infer<typeof BuildArtifactSchema>;

export const BuildErrorSummarySchema = z.strictObject({
  kind: z.string().max(20),
  title: z.string().max(1000),
  file: z.string().max(500).optional(),
  line: z.number().int().optional(),
  count: z.number().int().min(1),
});

export const DroppedOptionSummarySchema = z.strictObject({
  option: z.string().max(200),
  requested: z.string().max(200),
  actual: z.string().max(200),
  explanation: z.string().max(2000),
});

const SymbolDeltaSchema = z.strictObject({
  name: z.string().max(300),
  old: z.number().int().nullable(),
  new: z.number().int().nullable(),
  delta: z.number().int(),
});
/** Size against the base build (same tree, commit, config, toolchain; no patches), bloat-o-meter style. */
export const SizeDeltaSummarySchema = z.strictObject({
  baseBuildKey: Sha256,
  total: z.strictObject({ old: z.number().int(), new: z.number().int(), delta: z.number().int(), percent: z.number() }),
  counts: z.strictObject({ add: z.number().int(), remove: z.number().int(), grow: z.number().int(), shrink: z.number().int() }),
  /** The largest changes first (at most 200). */
  changes: z.array(SymbolDeltaSchema).max(200),
  /** bloat-o-meter's text, cut to fit. */
  text: z.string().max(65536),
});
export type SizeDeltaSummary = z.infer<typeof SizeDeltaSummarySchema>;

export const BuildResultSummarySchema = z.strictObject({
  status: z.enum(BUILD_STATUSES),
  title: z.string().max(1000),
  phase: z.enum(BUILD_PHASES),
  commit: z.string().regex(/^[0-9a-f]{40}$/).nullable(),
  /** The build's content address (tree, commit, patches, config, toolchain); null when it stopped before one existed. */
  contentHash: Sha256.nullable(),
  /** True when an identical build's artifacts were reused instead of building. */
  reused: z.boolean(),
  seconds: z.number().min(0),
  /** The boot image's artifact name (bzImage, Image, vmlinux), null when none. */
  image: z.string().max(200).nullable(),
  artifacts: z.array(BuildArtifactSchema).max(100),
  /** Where the artifacts are kept (a store URI; never credentials). */
  location: z.string().max(1024).nullable(),
  /** metadata.json: toolchain versions, patch hashes, image sizes. */
  metadata: z.record(z.string(), z.unknown()),
  errors: z.array(BuildErrorSummarySchema).max(50),
  warnings: z.number().int().min(0),
  droppedOptions: z.array(DroppedOptionSummarySchema).max(100),
  sizeDelta: SizeDeltaSummarySchema.nullable(),
  /** The end of the build log (the whole log when it is small). */
  log: z.string().max(2 * 1024 * 1024),
});
export type BuildResultSummary = z.infer<typeof BuildResultSummarySchema>;

export const BuildEventSchema = z.strictObject({
  type: z.literal('build'),
  runId: z.string().uuid(),
  leaseToken: z.string(),
  buildId: z.string().uuid(),
  state: z.enum(['running', 'finished']),
  request: BuildRequestSummarySchema.optional(),
  progress: BuildProgressSchema.optional(),
  result: BuildResultSummarySchema.optional(),
  at: z.string(),
}).refine((e) => (e.state === 'finished') === (e.result !== undefined), { message: 'a finished build event carries its result, and only it does' });
export type BuildEvent = z.infer<typeof BuildEventSchema>;
