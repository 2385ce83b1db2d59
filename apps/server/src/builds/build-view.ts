import type { BuildArtifact, SizeDeltaSummary } from '@pfnlab/contracts';
import type { BuildEntity, BuildStatus, StoredBuildError, StoredBuildProgress, StoredDroppedOption } from '../db/entities/build.entity';

/** A build in lists: what it is, where it stands; no log, no size-delta text, no metadata. */
export interface BuildSummaryView {
  id: string;
  status: BuildStatus;
  title: string | null;
  arch: string;
  tree: string;
  ref: string;
  commit: string | null;
  toolchain: string;
  phase: string | null;
  /** Only while the build runs. */
  progress: StoredBuildProgress | null;
  reused: boolean;
  seconds: number | null;
  contentHash: string | null;
  warnings: number;
  errorCount: number;
  jobId: string | null;
  runId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** One build with its result (GET /api/builds/:id): everything but the log, which has its own endpoint. */
export interface BuildDetailView extends BuildSummaryView {
  config: { base: string | null; fragments: string[] };
  patches: string[];
  image: string | null;
  artifacts: BuildArtifact[];
  location: string | null;
  metadata: Record<string, unknown>;
  errors: StoredBuildError[];
  droppedOptions: StoredDroppedOption[];
  sizeDelta: SizeDeltaSummary | null;
  /** Size of the stored log (GET /api/builds/:id/log), null when none is stored. */
  logBytes: number | null;
}

export interface BuildArtifactsView {
  id: string;
  status: BuildStatus;
  /** The artifact store URI (never with credentials); null until the build stored its files. */
  location: string | null;
  /** The boot image's file name. */
  image: string | null;
  files: BuildArtifact[];
}

export function toBuildSummary(b: BuildEntity): BuildSummaryView {
  return {
    id: b.id,
    status: b.status,
    title: b.title,
    arch: b.arch,
    tree: b.treeUrl,
    ref: b.ref,
    commit: b.commit,
    toolchain: b.toolchain,
    phase: b.phase,
    progress: b.status === 'running' ? b.progress : null,
    reused: b.reused,
    seconds: b.seconds,
    contentHash: b.contentHash,
    warnings: b.warnings,
    errorCount: b.errors.length,
    jobId: b.jobId,
    runId: b.runId,
    createdAt: b.createdAt,
    startedAt: b.startedAt,
    finishedAt: b.finishedAt,
  };
}

export function toBuildDetail(b: BuildEntity, logBytes: number | null): BuildDetailView {
  const config = (b.config ?? {}) as { base?: unknown; fragments?: unknown };
  return {
    ...toBuildSummary(b),
    config: {
      base: typeof config.base === 'string' ? config.base : null,
      fragments: Array.isArray(config.fragments) ? config.fragments.map(String) : [],
    },
    patches: Array.isArray(b.patches) ? b.patches : [],
    image: b.image,
    artifacts: b.artifacts,
    location: b.location,
    metadata: b.metadata ?? {},
    errors: b.errors,
    droppedOptions: b.droppedOptions,
    sizeDelta: b.sizeDelta,
    logBytes,
  };
}

export function toBuildArtifacts(b: BuildEntity): BuildArtifactsView {
  return { id: b.id, status: b.status, location: b.location, image: b.image, files: b.artifacts };
}
