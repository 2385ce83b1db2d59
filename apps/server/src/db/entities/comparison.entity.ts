import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A baseline-versus-candidate comparison with its per-metric results. */
@Entity('comparisons')
@Index(['createdAt'])
export class ComparisonEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'jsonb' }) baseline!: Record<string, any>;
  @Column({ type: 'jsonb' }) candidate!: Record<string, any>;
  @Column({ type: 'jsonb', default: () => "'[]'" }) results!: unknown[];
  @Column({ type: 'text', nullable: true }) verdict!: string | null;
  @Column({ type: 'uuid', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
