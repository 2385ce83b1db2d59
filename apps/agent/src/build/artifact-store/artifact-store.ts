import type { BuildArtifact } from '@pfnlab/contracts';

/*
 * Where finished builds are kept, by content address (libs/builds buildKey:
 * tree, commit, patches, config, toolchain). An identical build is fetched
 * from here instead of being made again. Implementations: a local directory
 * (the default) and S3-compatible object storage.
 */

/** One stored build. */
export interface StoredBuild {
  /** The content address (sha256 hex). */
  key: string;
  files: BuildArtifact[];
  /** Sum of the files' sizes. */
  bytes: number;
  createdAt: string;
  /** Last put or fetch: what retention by age looks at. */
  lastUsedAt: string;
  /** The build's metadata.json as stored with it. */
  metadata: Record<string, unknown>;
}

/** How long builds are kept (libs/builds selectForRetention decides). */
export interface RetentionPolicy {
  /** Builds not used for longer than this go (days). */
  maxAgeDays?: number;
  /** Above this total, least recently used builds go first (bytes). */
  maxTotalBytes?: number;
  /** Never removed, whatever their age (e.g. baselines in use). */
  keep?: string[];
}

export interface PruneResult {
  removed: string[];
  keptBytes: number;
}

export interface ArtifactStore {
  /** Where it is, for people and for build records (never credentials). */
  readonly location: string;
  /** The stored build, or null. Does not touch lastUsedAt. */
  get(key: string): Promise<StoredBuild | null>;
  /**
   * Copies the files of a stored build into destDir (created), verifying
   * sha256; marks it used. `names`: only these files (a size delta needs the
   * symbol table, not a vmlinux of hundreds of MB).
   */
  fetch(key: string, destDir: string, names?: readonly string[]): Promise<StoredBuild>;
  /**
   * Stores these files (absolute paths; stored by base name) under key. Atomic:
   * a reader sees the whole build or none of it; storing an existing key
   * replaces it.
   */
  put(key: string, files: string[], metadata: Record<string, unknown>): Promise<StoredBuild>;
  list(): Promise<StoredBuild[]>;
  remove(key: string): Promise<void>;
  /** Applies a retention policy now. */
  prune(policy: RetentionPolicy, now?: Date): Promise<PruneResult>;
}
