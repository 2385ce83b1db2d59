import type { Arch, Health, Platform } from '@pfnlab/contracts';
import type { QueuedRun, RunSelector, SchedulingMachine } from '@pfnlab/scheduling';

export const MINUTE = 60_000;
/** A fixed clock, so effective priorities are round numbers. */
export const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);

const PLATFORM_OF: Record<Arch, Platform> = { x86_64: 'x86-server', arm64: 'thunderx2', s390x: 'z15-lpar', ppc64le: 'power9' };

export function machine(name: string, arch: Arch, extra: Partial<SchedulingMachine> = {}): SchedulingMachine {
  return { name, arch, platform: PLATFORM_OF[arch], tags: [], memoryMiB: 16384, health: 'good' as Health, leasedBy: null, ...extra };
}

/** A run waiting `waitedMinutes` before NOW; selector on its arch unless a target is given. */
export function run(id: string, arch: Arch, extra: Partial<QueuedRun> & { waitedMinutes?: number; selector?: RunSelector } = {}): QueuedRun {
  const { waitedMinutes = 0, selector, ...rest } = extra;
  return { id, user: 'alice', arch, target: { selector: selector ?? {} }, priority: 50, queuedAt: NOW - waitedMinutes * MINUTE, ...rest };
}
