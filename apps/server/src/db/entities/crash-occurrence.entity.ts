import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A crash seen in one run on one machine, with the report text as captured. */
@Entity('crash_occurrences')
@Index(['crashId', 'at'])
@Index(['runId'])
export class CrashOccurrenceEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) crashId!: string;
  @Column({ type: 'uuid', nullable: true }) runId!: string | null;
  @Column({ type: 'uuid', nullable: true }) machineId!: string | null;
  @Column({ type: 'text' }) arch!: string;
  @Column({ type: 'text', nullable: true }) kernelVersion!: string | null;
  @Column({ type: 'boolean', default: false }) corrupted!: boolean;
  @Column({ type: 'integer', default: 1 }) count!: number;
  @Column({ type: 'text' }) report!: string;
  @CreateDateColumn({ type: 'timestamptz' }) at!: Date;
}
