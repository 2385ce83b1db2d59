import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Arch } from '@pfnlab/contracts';

export type BuildStatus = 'queued' | 'running' | 'PASS' | 'FAIL' | 'ERROR';

/**
 * A kernel build. `contentHash` covers tree, commit, patches, config and
 * toolchain, so an identical build is found and reused instead of rebuilt.
 */
@Entity('builds')
@Index(['status', 'createdAt'])
@Index(['contentHash'])
export class BuildEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid', nullable: true }) treeId!: string | null;
  @Column({ type: 'text' }) treeUrl!: string;
  @Column({ type: 'text' }) ref!: string;
  @Column({ type: 'text', nullable: true }) commit!: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) patches!: unknown[];
  @Column({ type: 'jsonb' }) config!: Record<string, any>;
  @Column({ type: 'text' }) arch!: Arch;
  @Column({ type: 'text', default: 'gcc' }) toolchain!: string;
  @Column({ type: 'text', default: 'queued' }) status!: BuildStatus;
  @Column({ type: 'text', nullable: true }) title!: string | null;
  @Column({ type: 'text', nullable: true }) contentHash!: string | null;
  @Column({ type: 'jsonb', default: () => "'{}'" }) artifacts!: Record<string, any>;
  @Column({ type: 'jsonb', default: () => "'{}'" }) metadata!: Record<string, any>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
