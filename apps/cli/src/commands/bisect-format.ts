/*
 * `pfnlab bisect show` for people: the range, each step with its commit,
 * job and what the commit turned out to be (the range narrowing step by
 * step), and the answer. Pure: takes the API's record.
 */

export interface BisectionStep {
  step: number;
  commit: string;
  index: number;
  purpose: string;
  runs: number;
  jobId: string;
  line: string;
  commitsLeft: number;
  finishedAt: string | null;
  verdict: string;
  reason: string | null;
}

export interface Bisection {
  id: string;
  state: string;
  good: string;
  bad: string;
  goodCommit: string | null;
  badCommit: string | null;
  criterion: string;
  tree: string | null;
  commitCount: number | null;
  progress: string | null;
  culprit: string | null;
  conclusion: string | null;
  result: { kind: string; reason?: string; candidates?: string[]; candidateCount?: number; lastGood?: { commit: string; reason: string }; firstBad?: { commit: string; reason: string } } | null;
  remaining: { lastGood: string; firstBad: string; count: number; skipped: string[] } | null;
  steps: BisectionStep[];
}

const short = (c: string | null | undefined) => (c ? c.slice(0, 12) : '?');

export function formatBisection(b: Bisection): string {
  const out: string[] = [];
  out.push(`bisection ${b.id}: ${b.state}`);
  out.push(`  tree       ${b.tree ?? '?'}`);
  out.push(`  range      ${b.good} (${short(b.goodCommit)}) .. ${b.bad} (${short(b.badCommit)}), ${b.commitCount ?? '?'} commits`);
  out.push(`  criterion  ${b.criterion}`);
  out.push('');
  out.push('steps:');
  if (!b.steps.length) out.push('  (none yet)');
  for (const s of b.steps) {
    const what = s.verdict === 'testing' ? 'testing...' : `${s.verdict}${s.reason ? `: ${s.reason}` : ''}`;
    out.push(`  ${String(s.step).padStart(2)}. ${short(s.commit)} #${s.index} ${s.purpose.padEnd(9)} ${s.runs} run(s), ${s.commitsLeft} left  job ${s.jobId}`);
    out.push(`      ${what}`);
  }
  out.push('');
  if (b.remaining && b.state === 'running') {
    const skipped = b.remaining.skipped.length ? `, ${b.remaining.skipped.length} skipped` : '';
    out.push(`range now: last good ${short(b.remaining.lastGood)}, first bad ${short(b.remaining.firstBad)} (${b.remaining.count} commit(s) left${skipped})`);
  }
  if (b.state === 'found' && b.result?.firstBad) {
    out.push(`first bad commit: ${b.culprit}`);
    out.push(`  evidence: ${b.result.firstBad.reason}`);
    if (b.result.lastGood) out.push(`  last good ${short(b.result.lastGood.commit)}: ${b.result.lastGood.reason}`);
  } else if (b.state === 'cannot-bisect' && b.result) {
    out.push(`cannot be bisected (${b.result.reason}): ${b.conclusion}`);
  } else if (b.conclusion) {
    out.push(`${b.state}: ${b.conclusion}`);
  } else if (b.progress) {
    out.push(b.progress);
  }
  return out.join('\n') + '\n';
}
