import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { agentGatewayController } from './agents/agent-gateway.controller';
import { AgentsController } from './agents/agents.controller';
import { AgentsService } from './agents/agents.service';
import { AuditService } from './audit/audit.service';
import { AuthGuard } from './auth/auth.guard';
import { TokenService } from './auth/token.service';
import { UsersController } from './auth/users.controller';
import { UsersService } from './auth/users.service';
import { BisectionsModule } from './bisections/bisections.module';
import { BuildLiveController } from './builds/build-live.controller';
import { BuildLiveHub } from './builds/build-live-hub';
import { BuildRecorder } from './builds/build-recorder';
import { BuildsController } from './builds/builds.controller';
import { BuildsService } from './builds/builds.service';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { SERVER_CONFIG, type ServerConfig } from './config/server-config';
import { CrashRecorder } from './crashes/crash-recorder';
import { CrashesController } from './crashes/crashes.controller';
import { dataSourceOptions } from './db/data-source-options';
import { bullConnection } from './queue/queue.module';
import { JobsProcessor } from './dispatch/jobs.processor';
import { LeaseReaper } from './dispatch/lease-reaper';
import { MachineLeases } from './dispatch/machine-leases';
import { RunScheduler } from './dispatch/run-scheduler';
import { HealthCheckScheduler } from './machines/health-check-scheduler';
import { RUN_QUEUES, RunQueues } from './dispatch/run-queues';
import { ConsoleIngest } from './streams/console-ingest';
import { ConsoleLiveHub } from './streams/console-live-hub';
import { RunEventsIngest } from './streams/run-events-ingest';
import { ConsoleLiveController } from './runs/console-live.controller';
import { RunCanceller } from './runs/run-canceller';
import { RunRecorder } from './runs/run-recorder';
import { ENTITIES } from './db/entities';
import { HealthController } from './health/health.controller';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';
import { MachinesController } from './machines/machines.controller';
import { MachinesService } from './machines/machines.service';
import { AbJobCoordinator } from './measurements/ab-job-coordinator';
import { ComparisonsController } from './measurements/comparisons.controller';
import { ComparisonsService } from './measurements/comparisons.service';
import { MeasurementsController, RunResultsController } from './measurements/measurements.controller';
import { MeasurementsService } from './measurements/measurements.service';
import { PayloadRecorder } from './measurements/payload-recorder';
import { SchemasController } from './openapi/schemas.controller';
import { QueueModule } from './queue/queue.module';
import { QueueReconciler } from './queue/queue-reconciler';
import { ConsoleStore } from './runs/console-store';
import { RunsController } from './runs/runs.controller';
import { SecretBox } from './secrets/secret-box';

/** The control plane, built from a validated configuration (tests pass their own). */
@Module({})
export class AppModule {
  static forConfig(config: ServerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.databaseUrl), logging: false }),
        TypeOrmModule.forFeature(ENTITIES),
        QueueModule.forConfig(config),
        BisectionsModule.forConfig(config),
      ],
      controllers: [
        HealthController, SchemasController, UsersController, MachinesController, JobsController, RunsController,
        ConsoleLiveController, BuildsController, BuildLiveController, CrashesController, MeasurementsController, RunResultsController, ComparisonsController, AgentsController, agentGatewayController(config.redisPrefix),
      ],
      providers: [
        { provide: SERVER_CONFIG, useValue: config },
        { provide: SecretBox, useValue: new SecretBox(config.secretsKey, config.oldSecretsKeys) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        TokenService,
        UsersService,
        AuditService,
        MachinesService,
        JobsService,
        ConsoleStore,
        CrashRecorder,
        AgentsService,
        MachineLeases,
        RunScheduler,
        HealthCheckScheduler,
        BuildsService,
        BuildLiveHub,
        BuildRecorder,
        PayloadRecorder,
        MeasurementsService,
        ComparisonsService,
        AbJobCoordinator,
        RunRecorder,
        RunCanceller,
        ConsoleLiveHub,
        { provide: RUN_QUEUES, useFactory: () => new RunQueues(bullConnection(config.redisUrl), config.redisPrefix) },
        // Background work: only in processes with the `workers` role.
        QueueReconciler,
        ...(config.roles.workers ? [JobsProcessor, ConsoleIngest, RunEventsIngest, LeaseReaper] : []),
      ],
    };
  }
}
