import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Arch, Health, Platform } from '@pfnlab/contracts';
import { LabEntity } from './lab.entity';

/**
 * A machine under test. Driver settings are stored without secrets; BMC/HMC
 * passwords and SSH keys live encrypted in machine_secrets. The lease columns
 * hold the run that owns the machine and a fencing token that only grows.
 */
@Entity('machines')
@Index(['arch', 'health'])
export class MachineEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', unique: true }) name!: string;
  @Column({ type: 'uuid' }) labId!: string;
  @ManyToOne(() => LabEntity, { onDelete: 'RESTRICT' }) lab?: LabEntity;
  @Column({ type: 'text' }) arch!: Arch;
  @Column({ type: 'text' }) platform!: Platform;
  @Column({ type: 'integer' }) memoryMib!: number;
  @Column({ type: 'integer', default: 1 }) cpus!: number;
  @Column({ type: 'text', array: true, default: '{}' }) tags!: string[];
  @Column({ type: 'jsonb' }) power!: Record<string, any>;
  @Column({ type: 'jsonb' }) console!: Record<string, any>;
  @Column({ type: 'jsonb' }) boot!: Record<string, any>;
  @Column({ type: 'jsonb', nullable: true }) ssh!: Record<string, any> | null;
  @Column({ type: 'jsonb', nullable: true }) hotplug!: Record<string, any> | null;
  @Column({ type: 'text', default: 'unknown' }) health!: Health;
  @Column({ type: 'timestamptz', default: () => 'now()' }) healthChangedAt!: Date;
  /** Health checks failed in a row (a recovery after a run is one); at MACHINE_BAD_AFTER the machine goes bad. */
  @Column({ type: 'integer', default: 0 }) failedChecks!: number;
  /** When the machine last showed whether its known-good kernel comes up (a health check, or a recovery after a run). */
  @Column({ type: 'timestamptz', nullable: true }) checkedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @Column({ type: 'uuid', nullable: true }) leaseRunId!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) leaseExpiresAt!: Date | null;
  @Column({ type: 'bigint', default: 0 }) leaseToken!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
