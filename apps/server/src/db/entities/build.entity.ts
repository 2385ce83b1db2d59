import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Arch, BuildArtifact, BuildPhase, SizeDeltaSummary } from '@pfnlab/contracts';

export type BuildStatus = 'queued' | 'running' | 'PASS' | 'FAIL' | 'ERROR';
export const BUILD_FINISHED_STATUSES: readonly BuildStatus[] = ['PASS', 'FAIL', 'ERROR'];

/** Where a running build is, as its agent last said (`updatedAt` is the agent's time of the report). */
export interface StoredBuildProgress {
  phase: BuildPhase;
  percent: number | null;
  message: string | null;
  updatedAt: string;
}

export interface StoredBuildError {
  kind: string;
  title: string;
  file?: string;
  line?: number;
  count: number;
}

export interface StoredDroppedOption {
  option: string;
  requested: string;
  actual: string;
  explanation: string;
}

/**
 * A kernel build. `contentHash` covers tree, commit, patches, config and
 * toolchain, so an identical build is found and reused instead of rebuilt.
 * The agent that makes it for a run reports progress and the result; the
 * log is large and is never loaded unless asked for (`select: false`).
 */
@Entity('builds')
@Index(['status', 'createdAt'])
@Index(['contentHash'])
@Index(['jobId', 'createdAt'])
@Index(['runId'])
@Index(['arch', 'createdAt'])
export class BuildEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid', nullable: true }) treeId!: string | null;
  @Column({ type: 'text' }) treeUrl!: string;
  @Column({ type: 'text' }) ref!: string;
  @Column({ type: 'text', nullable: true }) commit!: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) patches!: string[];
  /** `{ base, fragments }` as the job spec asked. */
  @Column({ type: 'jsonb' }) config!: Record<string, any>;
  @Column({ type: 'text' }) arch!: Arch;
  @Column({ type: 'text', default: 'gcc' }) toolchain!: string;
  @Column({ type: 'text', default: 'queued' }) status!: BuildStatus;
  @Column({ type: 'text', nullable: true }) title!: string | null;
  @Column({ type: 'text', nullable: true }) contentHash!: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) artifacts!: BuildArtifact[];
  @Column({ type: 'jsonb', default: () => "'{}'" }) metadata!: Record<string, any>;
  @Column({ type: 'uuid', nullable: true }) jobId!: string | null;
  @Column({ type: 'uuid', nullable: true }) runId!: string | null;
  @Column({ type: 'text', nullable: true }) phase!: BuildPhase | null;
  @Column({ type: 'jsonb', nullable: true }) progress!: StoredBuildProgress | null;
  @Column({ type: 'boolean', default: false }) reused!: boolean;
  @Column({ type: 'double precision', nullable: true }) seconds!: number | null;
  /** The boot image's artifact name (bzImage, Image, vmlinux). */
  @Column({ type: 'text', nullable: true }) image!: string | null;
  /** Where the artifacts are stored (an artifact store URI, without credentials). */
  @Column({ type: 'text', nullable: true }) location!: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) errors!: StoredBuildError[];
  @Column({ type: 'integer', default: 0 }) warnings!: number;
  @Column({ type: 'jsonb', default: () => "'[]'" }) droppedOptions!: StoredDroppedOption[];
  @Column({ type: 'jsonb', nullable: true }) sizeDelta!: SizeDeltaSummary | null;
  @Column({ type: 'text', nullable: true, select: false }) log!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
