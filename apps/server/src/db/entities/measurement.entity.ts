import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One sample of one metric in one payload iteration of a run. */
@Entity('measurements')
@Index(['metric', 'machineId', 'createdAt'])
@Index(['runId'])
@Index(['buildId', 'metric'])
@Index(['jobId', 'metric'])
export class MeasurementEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column({ type: 'uuid' }) runId!: string;
  @Column({ type: 'uuid' }) jobId!: string;
  @Column({ type: 'uuid', nullable: true }) buildId!: string | null;
  @Column({ type: 'uuid', nullable: true }) machineId!: string | null;
  @Column({ type: 'text' }) arch!: string;
  @Column({ type: 'text' }) payload!: string;
  @Column({ type: 'text' }) metric!: string;
  @Column({ type: 'integer', default: 0 }) iteration!: number;
  @Column({ type: 'double precision' }) value!: number;
  @Column({ type: 'text' }) unit!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
