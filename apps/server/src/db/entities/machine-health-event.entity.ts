import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Health } from '@pfnlab/contracts';

/** Health history of a machine: every transition with who or what caused it. */
@Entity('machine_health_events')
@Index(['machineId', 'at'])
export class MachineHealthEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column({ type: 'uuid' }) machineId!: string;
  @Column({ type: 'text', nullable: true }) fromState!: Health | null;
  @Column({ type: 'text' }) toState!: Health;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text', nullable: true }) actor!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) at!: Date;
}
