/**
 * Verdicts (DESIGN.md): FAIL is the kernel's fault, ERROR the lab's. Only
 * ERROR is retried automatically; DONE is a measurement-only result.
 */
export const VERDICTS = ['PASS', 'FAIL', 'ERROR', 'CANCELED', 'DONE'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Where a job is in its life; `verdict` is set when it reaches `finished`. */
export const JOB_STATES = ['queued', 'running', 'finished', 'canceled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const RUN_STATES = ['queued', 'running', 'finished'] as const;
export type RunState = (typeof RUN_STATES)[number];

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `have` is at least `need` (admin > operator > viewer). */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
