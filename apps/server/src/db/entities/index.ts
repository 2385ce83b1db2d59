import { AgentEntity } from './agent.entity';
import { ApiTokenEntity } from './api-token.entity';
import { AuditEntryEntity } from './audit-entry.entity';
import { BISECTION_STATES, BisectionEntity, type BisectionState, type StoredBisectionStep } from './bisection.entity';
import { BuildEntity } from './build.entity';
import { ComparisonEntity } from './comparison.entity';
import { ConsoleChunkEntity } from './console-chunk.entity';
import { CrashEntity } from './crash.entity';
import { CrashOccurrenceEntity } from './crash-occurrence.entity';
import { JobEntity } from './job.entity';
import { KernelTreeEntity } from './kernel-tree.entity';
import { LabEntity } from './lab.entity';
import { MachineEntity } from './machine.entity';
import { MachineHealthEventEntity } from './machine-health-event.entity';
import { MachineSecretEntity } from './machine-secret.entity';
import { MeasurementEntity } from './measurement.entity';
import { PayloadResultEntity } from './payload-result.entity';
import { NotificationRouteEntity } from './notification-route.entity';
import { RunEntity } from './run.entity';
import { RunStepEntity } from './run-step.entity';
import { UserEntity } from './user.entity';

export { BISECTION_STATES, type BisectionState, type StoredBisectionStep };
export {
  AgentEntity, ApiTokenEntity, AuditEntryEntity, BisectionEntity, BuildEntity, ComparisonEntity, ConsoleChunkEntity,
  CrashEntity, CrashOccurrenceEntity, JobEntity, KernelTreeEntity, LabEntity, MachineEntity, MachineHealthEventEntity,
  MachineSecretEntity, MeasurementEntity, NotificationRouteEntity, PayloadResultEntity, RunEntity, RunStepEntity, UserEntity,
};

export const ENTITIES = [
  AgentEntity, ApiTokenEntity, AuditEntryEntity, BisectionEntity, BuildEntity, ComparisonEntity, ConsoleChunkEntity,
  CrashEntity, CrashOccurrenceEntity, JobEntity, KernelTreeEntity, LabEntity, MachineEntity, MachineHealthEventEntity,
  MachineSecretEntity, MeasurementEntity, NotificationRouteEntity, PayloadResultEntity, RunEntity, RunStepEntity, UserEntity,
];
