import { z } from 'zod';

/** Kernel architectures pfnlab tests on, with the names `uname -m` prints (ppc64le, s390x). */
export const ARCHES = ['x86_64', 'arm64', 's390x', 'ppc64le'] as const;
export const ArchSchema = z.enum(ARCHES);
export type Arch = z.infer<typeof ArchSchema>;

/** Kinds of machine; each implies how it is powered, consoled and booted by default. */
export const PLATFORMS = ['x86-server', 'thunderx2', 'power9', 'z15-lpar'] as const;
export const PlatformSchema = z.enum(PLATFORMS);
export type Platform = z.infer<typeof PlatformSchema>;

/** Machine health, see DESIGN.md. Only `good` (and `unknown`, after recovery) machines get jobs. */
export const HEALTH_STATES = ['good', 'unknown', 'bad', 'maintenance', 'retired'] as const;
export const HealthSchema = z.enum(HEALTH_STATES);
export type Health = z.infer<typeof HealthSchema>;
