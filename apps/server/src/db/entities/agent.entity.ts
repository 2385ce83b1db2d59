import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { LabEntity } from './lab.entity';

/** One agent process per lab site; it authenticates with its own token (hashed here). */
@Entity('agents')
@Index(['labId', 'name'], { unique: true })
export class AgentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'uuid' }) labId!: string;
  @ManyToOne(() => LabEntity, { onDelete: 'CASCADE' }) lab?: LabEntity;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', unique: true }) tokenHash!: string;
  @Column({ type: 'text', nullable: true }) version!: string | null;
  @Column({ type: 'timestamptz', nullable: true }) lastHeartbeatAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
