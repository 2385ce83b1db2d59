import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { ROLES, type Role } from '@pfnlab/contracts';
import { ApiTokenEntity, UserEntity } from '../db/entities';
import type { Principal } from './principal';

export const TOKEN_PREFIX = 'pfn_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Issues, verifies and revokes API tokens. The plain token exists only in the issuing response. */
@Injectable()
export class TokenService {
  constructor(
    @InjectRepository(ApiTokenEntity) private readonly tokens: Repository<ApiTokenEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {}

  async issue(userId: string, name: string, role: Role, expiresAt: Date | null = null): Promise<{ token: string; record: ApiTokenEntity }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.tokens.save(
      this.tokens.create({ userId, name, role, tokenHash: hashToken(token), prefix: token.slice(0, 10), expiresAt }),
    );
    return { token, record };
  }

  /** The principal for a presented token, or null if unknown, revoked, expired or its user is disabled. */
  async verify(token: string): Promise<Principal | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const record = await this.tokens.findOne({ where: { tokenHash: hashToken(token), revokedAt: IsNull() } });
    if (!record) return null;
    if (record.expiresAt && record.expiresAt.getTime() <= Date.now()) return null;
    const user = await this.users.findOne({ where: { id: record.userId } });
    if (!user || user.disabled) return null;
    // A token never carries more than its user's current role.
    const role = ROLES[Math.min(ROLES.indexOf(record.role), ROLES.indexOf(user.role))];
    if (!record.lastUsedAt || Date.now() - record.lastUsedAt.getTime() > 60_000) {
      await this.tokens.update({ id: record.id }, { lastUsedAt: new Date() });
    }
    return { userId: user.id, userName: user.name, tokenId: record.id, role };
  }

  async revoke(tokenId: string): Promise<boolean> {
    const r = await this.tokens.update({ id: tokenId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (r.affected ?? 0) > 0;
  }
}
