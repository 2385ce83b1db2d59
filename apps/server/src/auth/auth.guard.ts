import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { roleAtLeast, type Role } from '@pfnlab/contracts';
import { PUBLIC_KEY, ROLE_KEY } from './principal';
import { TokenService } from './token.service';

/**
 * Global guard: every endpoint needs a bearer token unless marked @Public();
 * @RequireRole raises the bar from `viewer`. 401 means "who are you?",
 * 403 means "not allowed with this role".
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const need = this.reflector.getAllAndOverride<Role>(ROLE_KEY, targets) ?? 'viewer';
    const req = ctx.switchToHttp().getRequest();
    const header = String(req.headers['authorization'] ?? '');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new UnauthorizedException('missing bearer token: run `pfnlab login` or send "Authorization: Bearer <token>"');
    const principal = await this.tokens.verify(m[1]);
    if (!principal) throw new UnauthorizedException('invalid, expired or revoked token');
    if (!roleAtLeast(principal.role, need)) {
      throw new ForbiddenException(`this action needs the ${need} role; your token has ${principal.role}`);
    }
    req.principal = principal;
    return true;
  }
}
