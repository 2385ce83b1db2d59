import type { z } from 'zod';

/** One thing wrong with a submitted document, located by path and (for YAML) line/column. */
export interface SpecProblem {
  /** Dotted path with [index] for arrays, e.g. `boot.cmdline[0]`; empty for the document itself. */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/**
 * Turns zod issues into problems. Union failures are flattened to the branch
 * that got furthest, so a user sees "kernel.ref: ..." rather than "invalid
 * input" for the whole `kernel` section.
 */
export function problemsFromZod(error: z.ZodError): Array<{ path: Array<string | number>; message: string }> {
  const out: Array<{ path: Array<string | number>; message: string }> = [];
  const visit = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path] as Array<string | number>;
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        const best = pickBestBranch(issue.errors);
        if (best) {
          visit(best, path);
          continue;
        }
      }
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) out.push({ path: [...path, key], message: `unknown field "${key}"` });
        continue;
      }
      out.push({ path, message: issue.message });
    }
  };
  visit(error.issues, []);
  return out;
}

/** The union branch whose issues are deepest (it matched the most structure); ties: fewest issues. */
function pickBestBranch(branches: z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
  let best: z.core.$ZodIssue[] | undefined;
  let bestScore = -Infinity;
  for (const issues of branches) {
    if (issues.length === 0) continue;
    const depth = Math.max(...issues.map((i) => i.path.length + (i.code === 'unrecognized_keys' ? 0 : 0.5)));
    const score = depth * 100 - issues.length;
    if (score > bestScore) {
      bestScore = score;
      best = issues;
    }
  }
  // Every branch failed at the top: no branch is better, keep zod's own summary.
  return bestScore <= 0.5 * 100 ? undefined : best;
}
