import type { Verdict } from '@pfnlab/contracts';

/*
 * What happens to a run slot (one repeat of a job, one side of an A/B job)
 * after each of its attempts:
 * - ERROR is the lab's fault (BMC, console, agent): tried again, on another
 *   machine when one exists, after a backoff that doubles, up to a cap.
 * - FAIL is the kernel's: confirmed by one rerun before it counts. Two FAILs
 *   make a confirmed FAIL; a FAIL and a PASS make the slot flaky. A build
 *   that FAILed (step deploy) is not rerun: its inputs are content-addressed
 *   and a compile error does not come and go.
 * - PASS, DONE and CANCELED are final.
 * A/B jobs measure, they do not judge: their FAILs are not rerun (the
 * comparison gets its evidence from the repeat count).
 */

export interface RetryPolicy {
  /** Attempts a slot may take for ERRORs, the first included. */
  maxAttempts: number;
  /** Wait before the first retry, doubled for each later one, up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Whether a FAIL is rerun once to confirm it. */
  confirmFail: boolean;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, backoffMs: 30_000, maxBackoffMs: 300_000, confirmFail: true };

/** One attempt of a slot, as stored. */
export interface AttemptView {
  attempt: number;
  /** Null while it runs. */
  verdict: Verdict | null;
  finished: boolean;
  finishedAt: number | null;
  machine: string | null;
  /** The step a FAIL happened in; `deploy` (the kernel build) is not rerun. */
  failedStep?: string | null;
}

export type SlotState =
  | { state: 'running'; attempt: number }
  | {
      state: 'open';
      attempt: number;
      /** ms since the epoch before which it must not be dispatched (backoff). */
      notBefore: number;
      /** The machine the last attempt ERRORed on: another one is preferred. */
      avoidMachine: string | null;
      why: 'first' | 'retry' | 'confirm';
    }
  | { state: 'done'; verdict: Verdict; flaky: boolean; reason: string | null };

export function backoffMs(retry: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, retry - 1));
}

/** Where a slot stands, given all its attempts (any order). */
export function slotState(attempts: readonly AttemptView[], policy: RetryPolicy = DEFAULT_RETRY_POLICY): SlotState {
  const sorted = [...attempts].sort((a, b) => a.attempt - b.attempt);
  const last = sorted[sorted.length - 1];
  if (!last) return { state: 'open', attempt: 1, notBefore: 0, avoidMachine: null, why: 'first' };
  if (!last.finished) return { state: 'running', attempt: last.attempt };
  const verdicts = sorted.map((a) => a.verdict ?? 'ERROR');
  const fails = verdicts.filter((v) => v === 'FAIL').length;
  const passes = verdicts.filter((v) => v === 'PASS').length;
  const v = verdicts[verdicts.length - 1];
  const next = last.attempt + 1;
  switch (v) {
    case 'ERROR': {
      const errors = verdicts.filter((x) => x === 'ERROR').length;
      if (errors < policy.maxAttempts) {
        return { state: 'open', attempt: next, notBefore: (last.finishedAt ?? 0) + backoffMs(errors, policy), avoidMachine: last.machine, why: 'retry' };
      }
      // Out of retries: what the kernel did before the lab failed still counts.
      if (fails) return { state: 'done', verdict: 'FAIL', flaky: passes > 0, reason: `the FAIL could not be confirmed: ${errors} attempts ended in ERROR` };
      return { state: 'done', verdict: 'ERROR', flaky: false, reason: `ERROR on each of ${errors} attempts` };
    }
    case 'FAIL':
      if (passes) return { state: 'done', verdict: 'FAIL', flaky: true, reason: null };
      if (fails >= 2 || !policy.confirmFail || last.failedStep === 'deploy') return { state: 'done', verdict: 'FAIL', flaky: false, reason: null };
      return { state: 'open', attempt: next, notBefore: 0, avoidMachine: null, why: 'confirm' };
    case 'PASS':
      return { state: 'done', verdict: 'PASS', flaky: fails > 0, reason: null };
    default:
      return { state: 'done', verdict: v, flaky: false, reason: null };
  }
}

/** The pass rate over attempts that reached a kernel verdict (PASS or FAIL); null when there is none. */
export function passRate(verdicts: ReadonlyArray<Verdict | null>): number | null {
  const judged = verdicts.filter((v) => v === 'PASS' || v === 'FAIL');
  return judged.length ? judged.filter((v) => v === 'PASS').length / judged.length : null;
}

/**
 * A job is flaky when the same kernel both passed and failed: within one
 * slot (a FAIL its rerun did not confirm) or across its repeats.
 */
export function isFlaky(slots: ReadonlyArray<Extract<SlotState, { state: 'done' }>>): boolean {
  if (slots.some((s) => s.flaky)) return true;
  return slots.some((s) => s.verdict === 'PASS') && slots.some((s) => s.verdict === 'FAIL');
}
