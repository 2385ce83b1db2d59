import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A run's console, stored as gzip-compressed chunks of consecutive lines.
 * (runId, seqFrom) is the key; a chunk covers seqFrom..seqTo inclusive, so
 * a re-sent chunk is a no-op and gaps are visible as missing ranges.
 */
@Entity('console_chunks')
export class ConsoleChunkEntity {
  @PrimaryColumn({ type: 'uuid' }) runId!: string;
  @PrimaryColumn({ type: 'bigint' }) seqFrom!: string;
  @Column({ type: 'bigint' }) seqTo!: string;
  @Column({ type: 'integer' }) lineCount!: number;
  @Column({ type: 'integer' }) rawBytes!: number;
  @Column({ type: 'bytea' }) data!: Buffer;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
