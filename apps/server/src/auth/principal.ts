import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '@pfnlab/contracts';

/** Who is calling: resolved from the bearer token by AuthGuard. */
export interface Principal {
  userId: string;
  userName: string;
  tokenId: string;
  role: Role;
}

export const ROLE_KEY = 'pfnlab:role';
export const PUBLIC_KEY = 'pfnlab:public';

/** The least role an endpoint needs. Endpoints without it need `viewer`. */
export const RequireRole = (role: Role) => SetMetadata(ROLE_KEY, role);
/** Reachable without a token (health checks, API docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest().principal as Principal;
});
