import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AbRound, RunState, RunStep, RunVariant, Verdict } from '@pfnlab/contracts';

/**
 * One execution of a job on one machine (a job with repeat: 3 has three runs; a retry is another attempt).
 * An A/B job's runs are of the baseline or the candidate variant, in round 1 or 2 (libs/contracts paired-runs).
 */
@Entity('runs')
@Index(['jobId', 'variant', 'iteration', 'attempt'], { unique: true })
@Index(['machineId', 'createdAt'])
@Index(['state', 'createdAt'])
export class RunEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) jobId!: string;
  @Column({ type: 'uuid', nullable: true }) machineId!: string | null;
  @Column({ type: 'uuid', nullable: true }) buildId!: string | null;
  @Column({ type: 'integer', default: 0 }) iteration!: number;
  @Column({ type: 'integer', default: 1 }) attempt!: number;
  @Column({ type: 'text', default: 'candidate' }) variant!: RunVariant;
  @Column({ type: 'integer', default: 1 }) round!: AbRound;
  @Column({ type: 'text', default: 'queued' }) state!: RunState;
  @Column({ type: 'text', nullable: true }) verdict!: Verdict | null;
  @Column({ type: 'text', nullable: true }) verdictReason!: string | null;
  @Column({ type: 'text', nullable: true }) failedStep!: RunStep | null;
  @Column({ type: 'text', nullable: true }) kernelVersion!: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) milestones!: Array<{ name: string; line: number; time: number | null }>;
  @Column({ type: 'bigint', nullable: true }) leaseToken!: string | null;
  @Column({ type: 'bigint', default: 0 }) consoleLines!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
