import type { RunStep, Verdict } from '@pfnlab/contracts';
import type { RunReporter } from './run-reporter';

/** A step ended the run: with a verdict (ERROR for lab faults) and a message an admin can act on. */
export class StepFailure extends Error {
  constructor(
    readonly step: RunStep,
    readonly verdict: Verdict,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs one step under its own timeout, reporting it. An exception becomes
 * ERROR naming the step (a lab fault) unless it is already a StepFailure.
 */
export async function runStep<T>(reporter: RunReporter, step: RunStep, timeoutSeconds: number, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  if (signal.aborted) throw new StepFailure(step, 'CANCELED', 'canceled');
  await reporter.step(step, 'running', { timeoutSeconds });
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StepFailure(step, 'ERROR', `step ${step} did not finish within ${timeoutSeconds} s`)), timeoutSeconds * 1000);
      }),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new StepFailure(step, 'CANCELED', 'canceled')), { once: true })),
    ]);
    await reporter.step(step, 'ok');
    return result;
  } catch (e) {
    const failure = e instanceof StepFailure ? e : new StepFailure(step, 'ERROR', `${step}: ${(e as Error).message}`);
    await reporter.step(step, 'failed', { error: failure.message }).catch(() => undefined);
    throw failure;
  } finally {
    clearTimeout(timer);
  }
}
