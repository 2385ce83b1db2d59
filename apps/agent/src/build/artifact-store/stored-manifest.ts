import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BuildArtifactSchema, type BuildArtifact } from '@pfnlab/contracts';
import type { StoredBuild } from './artifact-store';

/*
 * What every artifact store shares: the key and file-name rules, the
 * manifest that makes a stored build visible (written last, read first),
 * and streamed sha256 so a multi-hundred-MB vmlinux never sits in memory.
 */

export const MANIFEST_NAME = 'manifest.json';
const MANIFEST_FORMAT = 1;
const KEY_RE = /^[0-9a-f]{64}$/;

/** Keys become paths and object names: anything but 64 lowercase hex is refused before it gets near one. */
export function assertBuildKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !KEY_RE.test(key)) {
    throw new Error(`"${String(key).slice(0, 80)}" is not a build key (64 lowercase hex characters)`);
  }
}

/** The stored names of files to put: their base names, which must be valid artifact names and distinct. */
export function artifactNames(files: readonly string[]): string[] {
  if (files.length === 0) throw new Error('a stored build needs at least one file');
  const seen = new Set<string>();
  return files.map((file) => {
    if (!path.isAbsolute(file)) throw new Error(`artifact "${file}" is not an absolute path`);
    const name = path.basename(file);
    if (!BuildArtifactSchema.shape.name.safeParse(name).success || name === '.' || name === '..') throw new Error(`artifact "${file}" does not have a storable file name`);
    if (name === MANIFEST_NAME) throw new Error(`artifact "${file}" is named ${MANIFEST_NAME}, which the store keeps for itself`);
    if (seen.has(name)) throw new Error(`two artifacts are named ${name}`);
    seen.add(name);
    return name;
  });
}

export function newStoredBuild(key: string, files: BuildArtifact[], metadata: Record<string, unknown>, now: Date): StoredBuild {
  const at = now.toISOString();
  // Stored as JSON: what comes back from get() must equal what put() returned.
  const meta = JSON.parse(JSON.stringify(metadata ?? {})) as Record<string, unknown>;
  return { key, files, bytes: files.reduce((s, f) => s + f.bytes, 0), createdAt: at, lastUsedAt: at, metadata: meta };
}

export function manifestText(build: StoredBuild): string {
  return `${JSON.stringify({ format: MANIFEST_FORMAT, ...build }, null, 2)}\n`;
}

/** A manifest read back, or null when it is not a valid manifest of this key (treated as no build). */
export function parseManifest(text: string, key: string): StoredBuild | null {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!m || typeof m !== 'object' || m.format !== MANIFEST_FORMAT || m.key !== key || !Array.isArray(m.files)) return null;
  const files: BuildArtifact[] = [];
  for (const f of m.files) {
    const parsed = BuildArtifactSchema.safeParse(f);
    if (!parsed.success || parsed.data.name === MANIFEST_NAME) return null;
    files.push(parsed.data);
  }
  const dates = [m.createdAt, m.lastUsedAt];
  if (!dates.every((d) => typeof d === 'string' && Number.isFinite(Date.parse(d)))) return null;
  const meta = m.metadata && typeof m.metadata === 'object' && !Array.isArray(m.metadata) ? (m.metadata as Record<string, unknown>) : {};
  return {
    key,
    files,
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    createdAt: m.createdAt as string,
    lastUsedAt: m.lastUsedAt as string,
    metadata: meta,
  };
}

/** True when two manifests list the same file contents (a fetch racing a replace sees them differ). */
export function sameFiles(a: StoredBuild, b: StoredBuild | null): boolean {
  if (!b || a.files.length !== b.files.length) return false;
  return a.files.every((f, i) => f.name === b.files[i].name && f.sha256 === b.files[i].sha256 && f.bytes === b.files[i].bytes);
}

export interface Digest {
  sha256: string;
  bytes: number;
}

/** sha256 and size of a file, streamed. */
export async function digestFile(file: string): Promise<Digest> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}

/** A pass-through stream that hashes and counts what flows through it. */
export function digestTap(): { tap: Transform; digest: () => Digest } {
  const h = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      h.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { tap, digest: () => ({ sha256: h.digest('hex'), bytes }) };
}

/** Streams a download to a file, hashing on the way. */
export async function writeDigested(source: Readable, file: string): Promise<Digest> {
  const { tap, digest } = digestTap();
  await pipeline(source, tap, fs.createWriteStream(file));
  return digest();
}

/** The error a fetch reports for a stored file whose bytes are not what the manifest says. */
export function corruptedFileError(key: string, name: string, expected: BuildArtifact, got: Digest | null): Error {
  const found = got ? `sha256 ${got.sha256.slice(0, 16)}…, ${got.bytes} bytes` : 'missing';
  return new Error(`stored build ${key.slice(0, 12)}: ${name} is corrupted (${found}; expected sha256 ${expected.sha256.slice(0, 16)}…, ${expected.bytes} bytes); the entry was removed, the next build rebuilds it`);
}

/** The build with only the named files (all of them without names): what a partial fetch copies. */
export function onlyFiles(build: StoredBuild, names?: readonly string[]): StoredBuild {
  return names ? { ...build, files: build.files.filter((f) => names.includes(f.name)) } : build;
}
