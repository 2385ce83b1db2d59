import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A kernel git tree builds are made from; builders keep a bare mirror of each. */
@Entity('kernel_trees')
export class KernelTreeEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', unique: true }) name!: string;
  @Column({ type: 'text', unique: true }) url!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
