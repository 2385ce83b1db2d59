import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { PayloadResultEvent } from '@pfnlab/contracts';

/** What one tests: entry produced in one loop iteration of a run: status and why, even without samples. */
@Entity('payload_results')
@Index(['runId', 'testIndex', 'testIteration'], { unique: true })
export class PayloadResultEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column({ type: 'uuid' }) runId!: string;
  @Column({ type: 'uuid' }) jobId!: string;
  @Column({ type: 'text' }) payload!: string;
  @Column({ type: 'integer' }) testIndex!: number;
  @Column({ type: 'integer' }) testIteration!: number;
  @Column({ type: 'text' }) status!: PayloadResultEvent['status'];
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'jsonb', default: () => "'{}'" }) params!: Record<string, string>;
  @Column({ type: 'jsonb', default: () => "'[]'" }) counters!: PayloadResultEvent['counters'];
  @Column({ type: 'jsonb', default: () => "'[]'" }) unavailable!: PayloadResultEvent['unavailable'];
  @Column({ type: 'jsonb', default: () => "'[]'" }) problems!: string[];
  @Column({ type: 'integer', default: 0 }) warnings!: number;
  @Column({ type: 'double precision' }) seconds!: number;
  @Column({ type: 'timestamptz' }) reportedAt!: Date;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
