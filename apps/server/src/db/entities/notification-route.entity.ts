import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Where reports go: a Slack channel for jobs matching arch/platform/label/user. */
@Entity('notification_routes')
export class NotificationRouteEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text', unique: true }) name!: string;
  @Column({ type: 'text', default: 'slack' }) kind!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ type: 'jsonb', default: () => "'{}'" }) match!: Record<string, any>;
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
