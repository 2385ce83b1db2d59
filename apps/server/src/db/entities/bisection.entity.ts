import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An automatic bisection between a good and a bad ref, with its steps' evidence. */
@Entity('bisections')
@Index(['state', 'createdAt'])
export class BisectionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', default: 'running' }) state!: string;
  @Column({ type: 'text' }) goodRef!: string;
  @Column({ type: 'text' }) badRef!: string;
  @Column({ type: 'text' }) criterion!: string;
  @Column({ type: 'jsonb' }) spec!: Record<string, any>;
  @Column({ type: 'jsonb', default: () => "'[]'" }) steps!: unknown[];
  @Column({ type: 'text', nullable: true }) culprit!: string | null;
  @Column({ type: 'text', nullable: true }) conclusion!: string | null;
  @Column({ type: 'uuid', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
