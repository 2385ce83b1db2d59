import type { BisectState } from './bisect-state';
import { plural } from './classification';
import type { BisectDecision } from './decision';
import { decideNext } from './next-step';

/*
 * One line for people per state of a bisection, for `pfnlab bisect status`,
 * the web UI and the Slack thread:
 *
 *   step 1/≈5: verifying the bad endpoint 9f2c0e1a4b7d, 3 runs (15 commits left)
 *   step 3/≈5: testing 1a2b3c4d5e6f (7 commits left)
 *   step 3/≈5: 2 more runs of 1a2b3c4d5e6f: 1 of the 3 passes needed to call it good (7 commits left)
 *   found in 5 steps: 1a2b3c4d5e6f is the first bad commit (...); last good 0f1e2d3c4b5a (...)
 *   cannot be bisected after 6 steps: there are only skipped commits left to test; ...
 *
 * Commits show as 12 hex digits, the kernel's abbreviation in Fixes: tags.
 * "≈": the total assumes nothing more is skipped.
 */

export const SHORT_COMMIT = 12;

export function describeDecision(d: BisectDecision): string {
  const short = (c: string) => c.slice(0, SHORT_COMMIT);
  switch (d.kind) {
    case 'test': {
      const head = `step ${d.step}/≈${d.estimatedSteps}: `;
      const left = ` (${plural(d.commitsLeft, 'commit')} left)`;
      // A commit under test already: how many more, and why. A new one: how many, when more than one.
      const runs = d.runsDone ? `, ${plural(d.runs, 'more run')}: ${d.reason}` : d.runs > 1 ? `, ${d.runs} runs` : '';
      switch (d.purpose) {
        case 'verify-bad':
          return `${head}verifying the bad endpoint ${short(d.commit)}${runs}${left}`;
        case 'baseline':
          return `${head}measuring the good endpoint ${short(d.commit)} as the baseline${runs}${left}`;
        case 'bisect':
          return `${head}testing ${short(d.commit)}${runs}${left}`;
        case 'more-runs':
          return `${head}${plural(d.runs, 'more run')} of ${short(d.commit)}: ${d.reason}${left}`;
        case 'confirm':
          return `${head}confirming the last good commit ${short(d.commit)}, ${plural(d.runs, 'more run')}: ${d.reason}${left}`;
      }
      break;
    }
    case 'found':
      return (
        `found in ${plural(d.steps, 'step')}: ${short(d.culprit)} is the first bad commit (${d.firstBad.reason}); ` +
        `last good ${short(d.lastGood.commit)} (${d.lastGood.reason})`
      );
    case 'cannot-bisect':
      return `cannot be bisected after ${plural(d.steps, 'step')}: ${d.message}`;
  }
  throw new Error('unreachable');
}

/** The line for a stored state: its decision, described. */
export function describeState(state: BisectState): string {
  return describeDecision(decideNext(state));
}
