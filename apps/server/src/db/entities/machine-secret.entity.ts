import { Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { StoredSecretKind } from '@pfnlab/contracts';

/** An encrypted credential of a machine (AES-256-GCM, see SecretBox). Never serialised to API responses. */
@Entity('machine_secrets')
@Index(['machineId', 'kind'], { unique: true })
export class MachineSecretEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) machineId!: string;
  @Column({ type: 'text' }) kind!: StoredSecretKind;
  @Column({ type: 'text' }) ciphertext!: string;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
