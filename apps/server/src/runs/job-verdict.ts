import type { Verdict } from '@pfnlab/contracts';

/** Worst first: a job's verdict is the worst of its runs'. */
const VERDICT_ORDER: Verdict[] = ['FAIL', 'ERROR', 'CANCELED', 'DONE', 'PASS'];

export function jobVerdict(verdicts: Verdict[]): Verdict {
  for (const v of VERDICT_ORDER) if (verdicts.includes(v)) return v;
  return 'ERROR';
}

/** The verdict and reason of a job whose runs have all finished: the worst run's. */
export function finishedJobFields(runs: Array<{ verdict: Verdict | null; verdictReason: string | null }>): { verdict: Verdict; verdictReason: string | null } {
  const verdict = jobVerdict(runs.map((r) => r.verdict ?? 'ERROR'));
  return { verdict, verdictReason: runs.find((r) => (r.verdict ?? 'ERROR') === verdict)?.verdictReason ?? null };
}
