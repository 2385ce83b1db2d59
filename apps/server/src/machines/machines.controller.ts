import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { z } from 'zod';
import { NameSchema } from '@pfnlab/contracts';
import { AuditService } from '../audit/audit.service';
import { CurrentPrincipal, type Principal, RequireRole } from '../auth/principal';
import { unavailable } from '../common/service-unavailable';
import { ZodPipe } from '../common/zod-body.pipe';
import { openApiSchema } from '../openapi/zod-openapi';
import { MACHINE_COMMANDS, MachineCommandQueue } from '../queue/machine-command-queue';
import {
  CreateMachineSchema,
  MachineListQuerySchema,
  MaintenanceSchema,
  PowerActionSchema,
  UpdateMachineSchema,
  type CreateMachine,
  type UpdateMachine,
} from './machine-dto';
import { MachinesService } from './machines.service';

const namePipe = new ZodPipe(NameSchema, 'machine name');

@ApiTags('machines')
@ApiBearerAuth()
@Controller('api/machines')
export class MachinesController {
  constructor(
    private readonly machines: MachinesService,
    private readonly audit: AuditService,
    @Inject(MACHINE_COMMANDS) private readonly commands: MachineCommandQueue,
  ) {}

  @Get()
  list(@Query(new ZodPipe(MachineListQuerySchema, 'query')) q: z.infer<typeof MachineListQuerySchema>) {
    return this.machines.list(q);
  }

  @Get(':name')
  show(@Param('name', namePipe) name: string) {
    return this.machines.show(name);
  }

  @Get(':name/health')
  health(@Param('name', namePipe) name: string) {
    return this.machines.healthHistory(name);
  }

  @Post()
  @RequireRole('admin')
  @ApiBody({ schema: openApiSchema(CreateMachineSchema) })
  create(@Body(new ZodPipe(CreateMachineSchema, 'machine')) body: CreateMachine, @CurrentPrincipal() p: Principal) {
    return this.machines.create(body, p);
  }

  @Patch(':name')
  @RequireRole('admin')
  @ApiBody({ schema: openApiSchema(UpdateMachineSchema) })
  update(@Param('name', namePipe) name: string, @Body(new ZodPipe(UpdateMachineSchema, 'machine update')) body: UpdateMachine, @CurrentPrincipal() p: Principal) {
    return this.machines.update(name, body, p);
  }

  @Delete(':name')
  @HttpCode(204)
  @RequireRole('admin')
  async remove(@Param('name', namePipe) name: string, @CurrentPrincipal() p: Principal) {
    await this.machines.remove(name, p);
  }

  @Post(':name/maintenance')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiBody({ schema: openApiSchema(MaintenanceSchema) })
  maintenance(@Param('name', namePipe) name: string, @Body(new ZodPipe(MaintenanceSchema)) body: z.infer<typeof MaintenanceSchema>, @CurrentPrincipal() p: Principal) {
    return this.machines.setMaintenance(name, body.on, body.reason, p);
  }

  /** Queues a power action for the machine's agent; audited whether or not the agent is up. */
  @Post(':name/power')
  @HttpCode(202)
  @RequireRole('operator')
  @ApiBody({ schema: openApiSchema(PowerActionSchema) })
  async power(@Param('name', namePipe) name: string, @Body(new ZodPipe(PowerActionSchema)) body: z.infer<typeof PowerActionSchema>, @CurrentPrincipal() p: Principal, @Req() req: Request) {
    const m = await this.machines.find(name);
    await this.audit.record(p, { action: `machine.power.${body.action}`, targetType: 'machine', targetId: m.id, details: { name }, remoteAddress: req.ip ?? null });
    let commandId: string;
    try {
      commandId = await this.commands.send({ machine: m.name, lab: m.lab!.name, action: body.action, requestedBy: p.userName });
    } catch (err) {
      throw unavailable('Redis', err);
    }
    return { machine: m.name, action: body.action, commandId, state: 'queued' };
  }
}
