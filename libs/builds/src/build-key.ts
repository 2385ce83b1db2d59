import { createHash } from 'node:crypto';

/*
 * The content address of a kernel build: the sha256 of a canonical JSON of
 * everything that decides its bytes (tree, commit, arch, config, patches,
 * toolchain). Two requests with the same key are the same build, so the
 * artifact store hands back the stored one instead of building again. Refs
 * are not in it (a branch moves; its commit is what was built), nor file
 * paths (a stored config or a patch counts by its content).
 */

/** Bumped when the canonical form changes, so old keys never match new builds by accident. */
export const BUILD_KEY_VERSION = 1;

export interface BuildKeyInputs {
  /** The tree's URL or absolute path (`.git` and trailing slashes do not count). */
  tree: string;
  /** The full commit hash (40 hex) the ref resolved to. */
  commit: string;
  arch: string;
  /**
   * A config make target (`defconfig`, `tinyconfig`, ...), or, with
   * configBaseSha256, any label of a stored config file (its path, `file`,
   * `stored:NAME`): then only the file's content counts.
   */
  configBase: string;
  configBaseSha256?: string;
  /** Kconfig lines in the order merged: later lines win, so order counts. */
  fragments: readonly string[];
  /** The patches' sha256s in the order applied. */
  patches: readonly string[];
  toolchain: { kind: 'gcc' | 'llvm'; versions: Readonly<Record<string, string>> };
}

const ARCHES = ['x86_64', 'arm64', 's390x', 'ppc64le'];
const COMMIT_RE = /^[0-9a-f]{40}$/;
const SHA256_RE = /^[0-9a-f]{64}$/;
const MAKE_TARGET_RE = /^[a-z0-9_.-]{0,60}config$/;

/** The content address of a build (64 hex). Throws an Error naming the field on invalid inputs. */
export function buildKey(inputs: BuildKeyInputs): string {
  return sha256(canonicalJson({ version: BUILD_KEY_VERSION, ...canonicalInputs(inputs) }));
}

/**
 * The key of the same build without its patches: the base a patched build's
 * size delta is measured against.
 */
export function baseBuildKey(inputs: BuildKeyInputs): string {
  return buildKey({ ...inputs, patches: [] });
}

/** The tree as the key sees it: `https://host/linux.git/` and `https://host/linux` are one tree. */
export function normalizeTree(tree: string): string {
  let t = tree.trim();
  for (;;) {
    const next = t.replace(/\/+$/, '').replace(/\.git$/, '');
    if (next === t) break;
    t = next;
  }
  return t;
}

/** A Kconfig line with its whitespace normalised: trimmed, runs of blanks outside quotes made one space. */
export function normalizeKconfigLine(line: string): string {
  let out = '';
  let quoted = false;
  let blank = false;
  for (const ch of line.trim()) {
    if (!quoted && (ch === ' ' || ch === '\t')) {
      blank = true;
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    if (ch === '"') quoted = !quoted;
    out += ch;
  }
  return out;
}

function canonicalInputs(i: BuildKeyInputs): Record<string, unknown> {
  if (typeof i !== 'object' || i === null) throw new Error('build key inputs: not an object');
  const tree = typeof i.tree === 'string' ? normalizeTree(i.tree) : '';
  if (!tree) throw new Error('build key inputs: tree is empty');
  if (typeof i.commit !== 'string' || !COMMIT_RE.test(i.commit)) {
    throw new Error(`build key inputs: commit "${String(i.commit).slice(0, 80)}" is not a full 40-hex commit hash`);
  }
  if (!ARCHES.includes(i.arch)) throw new Error(`build key inputs: arch "${String(i.arch)}" is not one of ${ARCHES.join(', ')}`);
  return {
    tree,
    commit: i.commit,
    arch: i.arch,
    config: canonicalConfig(i.configBase, i.configBaseSha256),
    fragments: canonicalFragments(i.fragments),
    patches: canonicalPatches(i.patches),
    toolchain: canonicalToolchain(i.toolchain),
  };
}

function canonicalConfig(base: string, fileSha256: string | undefined): Record<string, string> {
  if (typeof base !== 'string' || !base.trim()) throw new Error('build key inputs: configBase is empty');
  if (fileSha256 !== undefined) {
    if (!SHA256_RE.test(fileSha256)) throw new Error(`build key inputs: configBaseSha256 "${String(fileSha256).slice(0, 80)}" is not a sha256 hex digest`);
    if (MAKE_TARGET_RE.test(base)) throw new Error(`build key inputs: configBase "${base}" is a make target, but configBaseSha256 is only for a stored config file`);
    return { file: fileSha256 };
  }
  if (!MAKE_TARGET_RE.test(base)) {
    throw new Error(`build key inputs: configBase "${base.slice(0, 80)}" is not a config make target; a stored config file needs configBaseSha256`);
  }
  return { target: base };
}

function canonicalFragments(fragments: readonly string[]): string[] {
  if (!Array.isArray(fragments)) throw new Error('build key inputs: fragments is not an array of Kconfig lines');
  return fragments.map((line, n) => {
    if (typeof line !== 'string') throw new Error(`build key inputs: fragments[${n}] is not a string`);
    if (/[\n\r]/.test(line)) throw new Error(`build key inputs: fragments[${n}] holds more than one line`);
    return normalizeKconfigLine(line);
  }).filter((line) => line !== '' && !isPlainComment(line));
}

/** A comment that is not `# CONFIG_X is not set` changes nothing in the build (merge_config ignores it). */
function isPlainComment(line: string): boolean {
  return line.startsWith('#') && !/^# CONFIG_/.test(line);
}

function canonicalPatches(patches: readonly string[]): string[] {
  if (!Array.isArray(patches)) throw new Error('build key inputs: patches is not an array of sha256s');
  patches.forEach((p, n) => {
    if (typeof p !== 'string' || !SHA256_RE.test(p)) throw new Error(`build key inputs: patches[${n}] "${String(p).slice(0, 80)}" is not a sha256 hex digest`);
  });
  return [...patches];
}

function canonicalToolchain(t: BuildKeyInputs['toolchain']): Record<string, unknown> {
  if (typeof t !== 'object' || t === null) throw new Error('build key inputs: toolchain is missing');
  if (t.kind !== 'gcc' && t.kind !== 'llvm') throw new Error(`build key inputs: toolchain.kind "${String(t.kind)}" is not gcc or llvm`);
  if (typeof t.versions !== 'object' || t.versions === null) throw new Error('build key inputs: toolchain.versions is missing');
  const versions: Record<string, string> = {};
  for (const [tool, v] of Object.entries(t.versions)) {
    if (typeof v !== 'string') throw new Error(`build key inputs: toolchain.versions.${tool} is not a string`);
    versions[tool] = v.trim();
  }
  // A key that does not know the compiler would reuse builds across compiler upgrades.
  if (Object.keys(versions).length === 0) throw new Error('build key inputs: toolchain.versions is empty');
  return { kind: t.kind, versions };
}

/** JSON with object keys sorted at every level: the same data always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
