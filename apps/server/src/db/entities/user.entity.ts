import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@pfnlab/contracts';

/** A person (or a bot) who holds API tokens. A token never has more than its user's role. */
@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', unique: true }) name!: string;
  @Column({ type: 'text' }) role!: Role;
  @Column({ type: 'boolean', default: false }) disabled!: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
