import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { z } from 'zod';
import { NameSchema, roleAtLeast, ROLES } from '@pfnlab/contracts';
import { AuditService } from '../audit/audit.service';
import { ZodPipe } from '../common/zod-body.pipe';
import { ApiTokenEntity, UserEntity } from '../db/entities';
import { openApiSchema } from '../openapi/zod-openapi';
import { CurrentPrincipal, type Principal, RequireRole } from './principal';
import { TokenService } from './token.service';
import { UsersService } from './users.service';

const CreateUserSchema = z.strictObject({ name: NameSchema, role: z.enum(ROLES) });
const CreateTokenSchema = z.strictObject({
  name: z.string().min(1).max(100).regex(/^[\x20-\x7e]+$/),
  role: z.enum(ROLES).optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

function publicToken(t: ApiTokenEntity) {
  // Never the hash: it is as good as a password against an offline guess of a weak token.
  return { id: t.id, userId: t.userId, name: t.name, role: t.role, prefix: t.prefix, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt };
}

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    @InjectRepository(ApiTokenEntity) private readonly tokenRepo: Repository<ApiTokenEntity>,
    @InjectRepository(UserEntity) private readonly userRepo: Repository<UserEntity>,
  ) {}

  @Get('auth/whoami')
  whoami(@CurrentPrincipal() p: Principal) {
    return { user: p.userName, userId: p.userId, role: p.role, tokenId: p.tokenId };
  }

  @Get('users')
  @RequireRole('admin')
  async listUsers() {
    return this.userRepo.find({ order: { name: 'ASC' } });
  }

  @Post('users')
  @RequireRole('admin')
  @ApiBody({ schema: openApiSchema(CreateUserSchema) })
  async createUser(@Body(new ZodPipe(CreateUserSchema)) body: z.infer<typeof CreateUserSchema>, @CurrentPrincipal() p: Principal) {
    const user = await this.users.create(body.name, body.role);
    await this.audit.record(p, { action: 'user.create', targetType: 'user', targetId: user.id, details: body });
    return user;
  }

  @Get('tokens')
  @RequireRole('admin')
  async listTokens() {
    return (await this.tokenRepo.find({ order: { createdAt: 'DESC' } })).map(publicToken);
  }

  /** Issues a token for a user; the token is in this response only. */
  @Post('users/:id/tokens')
  @RequireRole('admin')
  @ApiBody({ schema: openApiSchema(CreateTokenSchema) })
  async createToken(
    @Param('id', ParseUUIDPipe) userId: string,
    @Body(new ZodPipe(CreateTokenSchema)) body: z.infer<typeof CreateTokenSchema>,
    @CurrentPrincipal() p: Principal,
  ) {
    const user = await this.userRepo.findOne({ where: { id: userId } });
    if (!user) throw new NotFoundException(`no user ${userId}`);
    const role = body.role ?? user.role;
    if (!roleAtLeast(user.role, role)) throw new NotFoundException(`user ${user.name} has role ${user.role}; a token cannot have more (${role})`);
    const expires = body.expiresInDays ? new Date(Date.now() + body.expiresInDays * 86400_000) : null;
    const { token, record } = await this.tokens.issue(user.id, body.name, role, expires);
    await this.audit.record(p, { action: 'token.create', targetType: 'token', targetId: record.id, details: { user: user.name, role, name: body.name } });
    return { token, ...publicToken(record) };
  }

  @Post('tokens/:id/revoke')
  @HttpCode(200)
  @RequireRole('admin')
  async revoke(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() p: Principal) {
    if (!(await this.tokens.revoke(id))) throw new NotFoundException(`no active token ${id}`);
    await this.audit.record(p, { action: 'token.revoke', targetType: 'token', targetId: id });
    return { id, revoked: true };
  }

  @Get('audit')
  @RequireRole('admin')
  async auditLog() {
    return this.audit.list(200);
  }
}
