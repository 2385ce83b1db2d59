import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AuditEntryEntity } from '../db/entities';
import { redact } from './redact';

export interface AuditEvent {
  action: string;
  targetType: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
  remoteAddress?: string | null;
}

/** Records who did what. Pass the transaction's manager so the entry commits (or not) with the change. */
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>) {}

  async record(actor: Principal | null, event: AuditEvent, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(AuditEntryEntity) : this.entries;
    await repo.insert({
      actorUserId: actor?.userId ?? null,
      actorTokenId: actor?.tokenId ?? null,
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId ?? null,
      details: redact(event.details ?? {}) as Record<string, any>,
      remoteAddress: event.remoteAddress ?? null,
    });
  }

  list(limit: number, targetType?: string, targetId?: string): Promise<AuditEntryEntity[]> {
    const where: Record<string, string> = {};
    if (targetType) where.targetType = targetType;
    if (targetId) where.targetId = targetId;
    return this.entries.find({ where, order: { at: 'DESC', id: 'DESC' }, take: limit });
  }
}
