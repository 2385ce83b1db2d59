import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who did what to which object: power actions, machine edits, token and user changes. */
@Entity('audit_log')
@Index(['at'])
@Index(['targetType', 'targetId', 'at'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @CreateDateColumn({ type: 'timestamptz' }) at!: Date;
  @Column({ type: 'uuid', nullable: true }) actorUserId!: string | null;
  @Column({ type: 'uuid', nullable: true }) actorTokenId!: string | null;
  @Column({ type: 'text' }) action!: string;
  @Column({ type: 'text' }) targetType!: string;
  @Column({ type: 'text', nullable: true }) targetId!: string | null;
  @Column({ type: 'jsonb', default: () => "'{}'" }) details!: Record<string, any>;
  @Column({ type: 'text', nullable: true }) remoteAddress!: string | null;
}
