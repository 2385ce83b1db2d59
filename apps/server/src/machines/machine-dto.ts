import { z } from 'zod';
import { HEALTH_STATES, InventoryMachineSchema, NameSchema, STORED_SECRET_KINDS, type InventoryMachine, type StoredSecretKind } from '@pfnlab/contracts';
import type { MachineEntity } from '../db/entities';

/** Credentials sent with a create or update, encrypted before they touch the database. */
export const MachineSecretsSchema = z.partialRecord(z.enum(STORED_SECRET_KINDS), z.string().min(1).max(16 * 1024));

/** POST /api/machines: an inventory entry, the lab it belongs to, and optional stored secrets. */
export const CreateMachineSchema = InventoryMachineSchema.extend({
  lab: NameSchema,
  secrets: MachineSecretsSchema.optional(),
});
export type CreateMachine = z.infer<typeof CreateMachineSchema>;

/** PATCH /api/machines/:name: any subset of the editable fields. */
export const UpdateMachineSchema = InventoryMachineSchema.omit({ name: true, arch: true })
  .partial()
  .extend({ secrets: MachineSecretsSchema.optional() })
  .strict();
export type UpdateMachine = z.infer<typeof UpdateMachineSchema>;

export const MaintenanceSchema = z.strictObject({
  on: z.boolean(),
  reason: z.string().min(1).max(500).default('operator request'),
});

export const POWER_ACTIONS = ['on', 'off', 'cycle', 'reset', 'status'] as const;
export const PowerActionSchema = z.strictObject({ action: z.enum(POWER_ACTIONS) });

export const MachineListQuerySchema = z.object({
  arch: z.string().max(20).optional(),
  health: z.enum(HEALTH_STATES).optional(),
  lab: NameSchema.optional(),
  tag: NameSchema.optional(),
});

/** The machine table's columns for an inventory entry (everything but identity, lab and health). */
export function machineColumns(m: Omit<InventoryMachine, 'name'>): Partial<MachineEntity> {
  return {
    arch: m.arch,
    platform: m.platform,
    memoryMib: m.memoryMiB,
    cpus: m.cpus,
    tags: m.tags,
    power: m.power,
    console: m.console,
    boot: m.boot,
    ssh: m.ssh ?? null,
    hotplug: m.hotplug ?? null,
    description: m.description ?? null,
  };
}

/** What the API shows of a machine: settings and which secrets are set, never their values. */
export function publicMachine(m: MachineEntity, labName: string | undefined, secretKinds: StoredSecretKind[]) {
  return {
    id: m.id,
    name: m.name,
    lab: labName ?? m.lab?.name,
    arch: m.arch,
    platform: m.platform,
    memoryMiB: m.memoryMib,
    cpus: m.cpus,
    tags: m.tags,
    health: m.health,
    healthChangedAt: m.healthChangedAt,
    description: m.description,
    power: m.power,
    console: m.console,
    boot: m.boot,
    ssh: m.ssh,
    hotplug: m.hotplug,
    secrets: Object.fromEntries(STORED_SECRET_KINDS.map((k) => [k, secretKinds.includes(k)])),
    lease: m.leaseRunId ? { runId: m.leaseRunId, expiresAt: m.leaseExpiresAt } : null,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

/** Every `stored:KIND` reference in a machine's settings. */
export function storedRefs(settings: unknown): StoredSecretKind[] {
  const found = new Set<StoredSecretKind>();
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.startsWith('stored:')) found.add(v.slice(7) as StoredSecretKind);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(settings);
  return [...found];
}
