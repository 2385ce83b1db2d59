import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { JobSpecSchema, type JobSpec } from './job-spec';
import { formatPath, problemsFromZod, type SpecProblem } from './spec-problems';

/** Largest job file accepted; a job spec is a page of YAML, not a data dump. */
export const MAX_JOB_SPEC_BYTES = 256 * 1024;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: SpecProblem[] };

/**
 * Parses and validates a job spec given as YAML or JSON text (JSON is YAML).
 * Every problem is reported, each with its path and, where the document
 * shows it, its line and column (1-based).
 */
export function parseJobSpecText(text: string): ParseResult<JobSpec> {
  if (Buffer.byteLength(text, 'utf8') > MAX_JOB_SPEC_BYTES) {
    return { ok: false, problems: [{ path: '', message: `job spec is larger than ${MAX_JOB_SPEC_BYTES} bytes` }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: '', message: `YAML: ${e.message.split('\n')[0]}`, line: pos.line, column: pos.col };
      }),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    return { ok: false, problems: [{ path: '', message: `YAML: ${(e as Error).message}` }] };
  }
  const result = validateJobSpec(data);
  if (result.ok) return result;
  for (const problem of result.problems) {
    const node = nodeAt(doc.contents as YamlNode | null, problem.rawPath, problem.message.startsWith('unknown field'));
    if (node?.range) {
      const pos = lineCounter.linePos(node.range[0]);
      problem.line = pos.line;
      problem.column = pos.col;
    }
  }
  return { ok: false, problems: result.problems.map(({ rawPath: _raw, ...p }) => p) };
}

/** Validates an already-parsed object (a JSON API body). */
export function validateJobSpec(data: unknown): { ok: true; value: JobSpec } | { ok: false; problems: Array<SpecProblem & { rawPath: Array<string | number> }> } {
  const parsed = JobSpecSchema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problems: problemsFromZod(parsed.error).map((p) => ({ path: formatPath(p.path), message: p.message, rawPath: p.path })),
  };
}

/** The deepest YAML node along `path`; for an unknown field, its key (what the user typed). */
function nodeAt(root: YamlNode | null, path: Array<string | number>, pointAtKey: boolean): YamlNode | null {
  let node: YamlNode | null = root;
  for (const [i, seg] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === seg);
      if (!pair) return node;
      const last = i === path.length - 1;
      node = last && pointAtKey ? (pair.key as YamlNode) : ((pair.value as YamlNode | null) ?? (pair.key as YamlNode));
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) return node;
      node = item;
    } else {
      return node;
    }
  }
  return node;
}
