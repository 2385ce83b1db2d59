import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A baseline-versus-candidate comparison with its per-metric results. */
@Entity('comparisons')
@Index(['createdAt'])
@Index(['jobId', 'createdAt'])
export class ComparisonEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'jsonb' }) baseline!: Record<string, any>;
  @Column({ type: 'jsonb' }) candidate!: Record<string, any>;
  @Column({ type: 'jsonb', default: () => "'[]'" }) results!: unknown[];
  @Column({ type: 'text', nullable: true }) verdict!: string | null;
  /** minEffect, alpha, higherIsBetter and metrics the comparison was computed with. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) options!: Record<string, unknown>;
  @Column({ type: 'uuid', nullable: true }) createdBy!: string | null;
  /** Made by an A/B job at the end of a round (null: asked for through the API). */
  @Column({ type: 'uuid', nullable: true }) jobId!: string | null;
  @Column({ type: 'integer', nullable: true }) round!: number | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
