import type { TestPurpose } from '@pfnlab/bisect';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Where a bisection is: searching, or ended (culprit found, cannot be bisected, canceled, or stopped by an error). */
export const BISECTION_STATES = ['running', 'found', 'cannot-bisect', 'canceled', 'error'] as const;
export type BisectionState = (typeof BISECTION_STATES)[number];

/** One submitted step job, as the bisection's `steps` log keeps it. */
export interface StoredBisectionStep {
  step: number;
  commit: string;
  /** Position in the range (0 = the good endpoint). */
  index: number;
  purpose: TestPurpose;
  runs: number;
  jobId: string;
  /** Why this job, for people (libs/bisect describeDecision). */
  line: string;
  /** Commits that could be the first bad one when the job was submitted. */
  commitsLeft: number;
  submittedAt: string;
  finishedAt: string | null;
  /** This job's runs (filled when it finished). */
  runIds: string[];
}

/**
 * An automatic bisection between a good and a bad ref, with its steps' evidence.
 * `bisectState` is libs/bisect's BisectState as JSON: every decision is
 * recomputed from it. `steps` is the log of submitted step jobs for people
 * (commit, job, what it was decided to be).
 */
@Entity('bisections')
@Index(['state', 'createdAt'])
export class BisectionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', default: 'running' }) state!: BisectionState;
  @Column({ type: 'text' }) goodRef!: string;
  @Column({ type: 'text' }) badRef!: string;
  @Column({ type: 'text' }) criterion!: string;
  @Column({ type: 'jsonb' }) spec!: Record<string, any>;
  @Column({ type: 'jsonb', default: () => "'[]'" }) steps!: StoredBisectionStep[];
  @Column({ type: 'text', nullable: true }) culprit!: string | null;
  @Column({ type: 'text', nullable: true }) conclusion!: string | null;
  @Column({ type: 'uuid', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  /** The refs resolved to commits when the bisection started. */
  @Column({ type: 'text', nullable: true }) goodCommit!: string | null;
  @Column({ type: 'text', nullable: true }) badCommit!: string | null;
  @Column({ type: 'jsonb', nullable: true }) bisectState!: Record<string, any> | null;
  /** The job testing the current step (null once the bisection ended). */
  @Column({ type: 'uuid', nullable: true }) currentJobId!: string | null;
  @Column({ type: 'text', nullable: true }) currentCommit!: string | null;
  /** One line for people (libs/bisect describeDecision). */
  @Column({ type: 'text', nullable: true }) progress!: string | null;
  /** The final decision (found or cannot-bisect) as libs/bisect gave it. */
  @Column({ type: 'jsonb', nullable: true }) result!: Record<string, any> | null;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
