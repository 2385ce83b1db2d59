import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { NameSchema } from '@pfnlab/contracts';
import { AuditService } from '../audit/audit.service';
import { CurrentPrincipal, type Principal, RequireRole } from '../auth/principal';
import { ZodPipe } from '../common/zod-body.pipe';
import { openApiSchema } from '../openapi/zod-openapi';
import { AgentsService } from './agents.service';

const CreateAgentSchema = z.strictObject({ name: NameSchema });

@ApiTags('agents')
@ApiBearerAuth()
@Controller('api/labs')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly audit: AuditService,
  ) {}

  /** Creates an agent of a lab (or gives it a new token); the token is in this response only. */
  @Post(':lab/agents')
  @RequireRole('admin')
  @ApiBody({ schema: openApiSchema(CreateAgentSchema) })
  async create(@Param('lab', new ZodPipe(NameSchema, 'lab name')) lab: string, @Body(new ZodPipe(CreateAgentSchema)) body: z.infer<typeof CreateAgentSchema>, @CurrentPrincipal() p: Principal) {
    const r = await this.agents.issueToken(lab, body.name);
    await this.audit.record(p, { action: 'agent.token', targetType: 'agent', targetId: r.agentId, details: { lab, name: body.name } });
    return { lab, name: body.name, ...r };
  }
}
