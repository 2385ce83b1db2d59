import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Arch, JobSpec, JobState, Verdict } from '@pfnlab/contracts';
import type { AbState } from '@pfnlab/stats';

/** A submitted job: the validated spec as stored, plus its life cycle. */
@Entity('jobs')
@Index(['state', 'priority', 'createdAt'])
@Index(['createdAt'])
@Index(['submittedBy', 'createdAt'])
export class JobEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', nullable: true }) name!: string | null;
  @Column({ type: 'jsonb' }) spec!: JobSpec;
  @Column({ type: 'text' }) arch!: Arch;
  @Column({ type: 'integer' }) priority!: number;
  @Column({ type: 'text', default: 'queued' }) state!: JobState;
  @Column({ type: 'text', nullable: true }) verdict!: Verdict | null;
  @Column({ type: 'text', nullable: true }) verdictReason!: string | null;
  @Column({ type: 'uuid', nullable: true }) submittedBy!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  /** A/B jobs only (a `baseline:` in the spec): where the comparison stands (libs/stats ab-rounds). */
  @Column({ type: 'text', nullable: true }) abState!: AbState | null;
  @Column({ type: 'text', nullable: true }) abSummary!: string | null;
  /** The comparison that decided abState (round 2's once there is one). */
  @Column({ type: 'uuid', nullable: true }) comparisonId!: string | null;
  /** The same kernel both passed and failed (libs/scheduling retry-policy): not a regression. */
  @Column({ type: 'boolean', default: false }) flaky!: boolean;
  /** PASS / (PASS + FAIL) over all its runs' attempts, once finished; null when none reached a kernel verdict. */
  @Column({ type: 'real', nullable: true }) passRate!: number | null;
}
