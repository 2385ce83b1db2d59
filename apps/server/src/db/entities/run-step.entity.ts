import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { RunStep } from '@pfnlab/contracts';

export type StepState = 'pending' | 'running' | 'ok' | 'failed' | 'skipped';

/** One step of a run with its own timeout and timing (DESIGN.md: reserve ... release). */
@Entity('run_steps')
@Index(['runId', 'seq'], { unique: true })
export class RunStepEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column({ type: 'uuid' }) runId!: string;
  @Column({ type: 'integer' }) seq!: number;
  @Column({ type: 'text' }) name!: RunStep;
  @Column({ type: 'text', default: 'pending' }) state!: StepState;
  @Column({ type: 'integer', nullable: true }) timeoutSeconds!: number | null;
  @Column({ type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
}
