import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@pfnlab/contracts';

/**
 * An API token. Only the SHA-256 of the secret is stored: the tokens are
 * 256-bit random, so a slow hash adds nothing, and lookups stay O(1).
 */
@Entity('api_tokens')
@Index(['userId'])
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) userId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) role!: Role;
  @Column({ type: 'text', unique: true }) tokenHash!: string;
  /** First characters of the token, to recognise it in lists without revealing it. */
  @Column({ type: 'text' }) prefix!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) lastUsedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) expiresAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
}
