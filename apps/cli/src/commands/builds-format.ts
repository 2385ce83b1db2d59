/*
 * How `pfnlab builds` shows builds to people (the API's shapes are in
 * apps/server/src/builds/build-view.ts; --json prints them as they are).
 */

export interface BuildProgressView {
  phase: string;
  percent: number | null;
  message: string | null;
  updatedAt: string;
}

export interface BuildSummary {
  id: string;
  status: string;
  title: string | null;
  arch: string;
  tree: string;
  ref: string;
  commit: string | null;
  toolchain: string;
  phase: string | null;
  progress: BuildProgressView | null;
  reused: boolean;
  seconds: number | null;
  warnings: number;
  errorCount: number;
  jobId: string | null;
  runId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface BuildArtifactFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface BuildDetail extends BuildSummary {
  config: { base: string | null; fragments: string[] };
  patches: string[];
  image: string | null;
  artifacts: BuildArtifactFile[];
  location: string | null;
  metadata: Record<string, unknown>;
  errors: Array<{ kind: string; title: string; file?: string; line?: number; count: number }>;
  droppedOptions: Array<{ option: string; requested: string; actual: string; explanation: string }>;
  sizeDelta: {
    baseBuildKey: string;
    total: { old: number; new: number; delta: number; percent: number };
    counts: { add: number; remove: number; grow: number; shrink: number };
    changes: Array<{ name: string; old: number | null; new: number | null; delta: number }>;
  } | null;
  logBytes: number | null;
}

export interface BuildArtifacts {
  id: string;
  status: string;
  location: string | null;
  image: string | null;
  files: BuildArtifactFile[];
}

const SIZE_DELTA_SYMBOLS_SHOWN = 10;

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** "compile 42% (1234/2900 objects)" */
export function formatProgress(p: BuildProgressView | null): string {
  if (!p) return '';
  return `${p.phase}${p.percent !== null ? ` ${Math.floor(p.percent)}%` : ''}${p.message ? ` (${p.message})` : ''}`;
}

/** The build's running time: its own figure once finished, the time since it started while it runs. */
export function buildDuration(b: BuildSummary, now = Date.now()): string {
  if (b.seconds !== null) return formatDuration(b.seconds);
  if (b.startedAt && (b.status === 'running' || b.status === 'queued')) return `${formatDuration((now - Date.parse(b.startedAt)) / 1000)} so far`;
  return '-';
}

/** "file:line" when the analysis knew where, for errors people jump to. */
export function errorLocation(e: { file?: string; line?: number }): string {
  return e.file ? `${e.file}${e.line !== undefined ? `:${e.line}` : ''}` : '';
}

export function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

function record(obj: unknown): Record<string, unknown> {
  return obj && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Record<string, unknown>) : {};
}

/** Image sizes from the build's metadata (images: {name: bytes}), else from its artifact list. */
function imageSizes(b: BuildDetail): string {
  const fromMeta = Object.entries(record(b.metadata.images)).filter(([, v]) => typeof v === 'number') as Array<[string, number]>;
  const sizes = fromMeta.length ? fromMeta : b.artifacts.filter((f) => f.name === b.image || f.name === 'vmlinux').map((f) => [f.name, f.bytes] as [string, number]);
  return sizes.map(([name, bytes]) => `${name} ${formatBytes(bytes)}`).join(', ');
}

/** Patches with their hash and subject when the metadata has them. */
function patchLines(b: BuildDetail): string[] {
  const meta = Array.isArray(b.metadata.patches) ? (b.metadata.patches as unknown[]).map(record) : [];
  if (meta.length) {
    return meta.map((p) => {
      const subjects = Array.isArray(p.subjects) ? (p.subjects as unknown[]).map(String) : [];
      const sha = typeof p.sha256 === 'string' ? ` sha256:${p.sha256.slice(0, 12)}` : '';
      return `${String(p.file ?? '?')}${sha}${subjects[0] ? `  "${subjects[0]}"${subjects.length > 1 ? ` (+${subjects.length - 1} more)` : ''}` : ''}`;
    });
  }
  return b.patches;
}

function toolchainLine(b: BuildDetail): string {
  const versions = Object.values(record(record(b.metadata.toolchain).versions)).map(String);
  return versions.length ? `${b.toolchain} (${versions[0]})` : b.toolchain;
}

/** `pfnlab builds show` for people: what was built, how it went, and why it failed. */
export function formatBuild(b: BuildDetail, now = Date.now()): string {
  const rows: Array<[string, string]> = [
    ['build', b.id],
    ['status', b.status],
  ];
  if (b.title) rows.push(['title', b.title]);
  if (b.progress) rows.push(['progress', `${formatProgress(b.progress)}, reported ${new Date(b.progress.updatedAt).toISOString().slice(11, 19)}`]);
  rows.push(['tree', b.tree], ['ref', b.ref], ['commit', b.commit ?? '-'], ['arch', b.arch]);
  const fragments = b.config.fragments.length;
  rows.push(['config', `${b.config.base ?? '-'}${fragments ? ` + ${fragments} fragment line${fragments > 1 ? 's' : ''}` : ''}`]);
  for (const f of b.config.fragments) rows.push(['', `  ${f}`]);
  const patches = patchLines(b);
  rows.push(['patches', patches.length ? String(patches.length) : 'none']);
  for (const [i, p] of patches.entries()) rows.push(['', `  ${i + 1}. ${p}`]);
  rows.push(['toolchain', toolchainLine(b)]);
  rows.push(['duration', buildDuration(b, now)]);
  rows.push(['reused', b.reused ? 'yes (an identical build was stored)' : 'no']);
  const sizes = imageSizes(b);
  if (b.image || sizes) rows.push(['image', `${b.image ?? '-'}${sizes ? `  (${sizes})` : ''}`]);
  rows.push(['warnings', String(b.warnings)]);
  if (b.jobId) rows.push(['job', b.jobId]);
  if (b.runId) rows.push(['run', b.runId]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const out = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);

  if (b.errors.length) {
    out.push('', `errors (${b.errors.length}):`);
    for (const e of b.errors) {
      const where = errorLocation(e);
      out.push(`  ${where ? `${where}: ` : ''}${e.kind}: ${e.title}${e.count > 1 ? `  (x${e.count})` : ''}`);
    }
  }
  if (b.droppedOptions.length) {
    out.push('', `dropped options (${b.droppedOptions.length}): requested, but not in the final .config`);
    for (const d of b.droppedOptions) out.push(`  ${d.option}=${d.requested} became ${d.actual}: ${d.explanation}`);
  }
  if (b.sizeDelta) {
    const { total, counts, changes } = b.sizeDelta;
    out.push(
      '',
      `size delta against base build ${b.sizeDelta.baseBuildKey.slice(0, 12)}: ${signed(total.delta)} bytes (${total.delta >= 0 ? '+' : ''}${total.percent.toFixed(2)}%), ` +
        `${total.old} -> ${total.new}; ${counts.add} added, ${counts.remove} removed, ${counts.grow} grown, ${counts.shrink} shrunk`,
    );
    for (const c of changes.slice(0, SIZE_DELTA_SYMBOLS_SHOWN)) out.push(`  ${signed(c.delta).padStart(8)}  ${c.name}`);
    if (changes.length > SIZE_DELTA_SYMBOLS_SHOWN) out.push(`  ... ${changes.length - SIZE_DELTA_SYMBOLS_SHOWN} more (--json lists them)`);
  }
  out.push('');
  if (b.artifacts.length) out.push(`artifacts: ${b.artifacts.length} file(s): pfnlab builds artifacts ${b.id}`);
  out.push(b.logBytes !== null ? `log: ${formatBytes(b.logBytes)}: pfnlab builds log ${b.id} [--tail N]` : b.status === 'running' ? `follow it: pfnlab builds watch ${b.id}` : 'log: none stored');
  return `${out.join('\n')}\n`;
}
