import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type MeasurementKind = 'sample' | 'count' | 'counter';

/**
 * One value of one metric in one payload iteration of a run. `metric` is
 * qualified by the payload (`hotplug-offline-online.offline_ns`; counters:
 * `hotplug-add-remove.counter.__add_pages.calls`), so one name means one
 * thing across payloads; `payload` is also kept in its own column.
 */
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
  /** The payload_results row this value came from (null for rows older than it). */
  @Column({ type: 'bigint', nullable: true }) resultId!: string | null;
  @Column({ type: 'text', default: 'sample' }) kind!: MeasurementKind;
  @Column({ type: 'jsonb', default: () => "'{}'" }) labels!: Record<string, string>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
