import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One row per crash title: titles with the same text are the same bug. */
@Entity('crashes')
@Index(['lastSeen'])
export class CrashEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', unique: true }) title!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'text', nullable: true }) frame!: string | null;
  @Column({ type: 'integer', default: 0 }) count!: number;
  @Column({ type: 'text', array: true, default: '{}' }) arches!: string[];
  @Column({ type: 'timestamptz' }) firstSeen!: Date;
  @Column({ type: 'timestamptz' }) lastSeen!: Date;
}
