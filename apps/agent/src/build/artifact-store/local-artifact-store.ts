import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectForRetention } from '@pfnlab/builds';
import type { BuildArtifact } from '@pfnlab/contracts';
import type { ArtifactStore, PruneResult, RetentionPolicy, StoredBuild } from './artifact-store';
import {
  artifactNames,
  assertBuildKey,
  corruptedFileError,
  onlyFiles,
  digestFile,
  manifestText,
  MANIFEST_NAME,
  newStoredBuild,
  parseManifest,
  sameFiles,
  type Digest,
} from './stored-manifest';

/** Temp and trash directories older than this belong to a put or remove that died. */
const ABANDONED_MS = 60 * 60 * 1000;
/** A fetch that races a replace of the same key starts over this many times. */
const FETCH_ATTEMPTS = 3;

/**
 * The default store: a directory on the agent host, one directory per build
 * at <root>/<key[0..1]>/<key>/ with its files and manifest.json. A build is
 * assembled in <root>/.tmp/ and renamed into place, so a reader sees the
 * whole build or nothing, and a killed put leaves only a temp directory
 * that list() never looks at and prune() cleans up.
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly location: string;
  private readonly root: string;
  private readonly tmpRoot: string;

  constructor(rootDir: string) {
    if (!path.isAbsolute(rootDir)) throw new Error(`artifact store directory "${rootDir}" is not an absolute path`);
    this.root = path.resolve(rootDir);
    this.tmpRoot = path.join(this.root, '.tmp');
    this.location = `file://${this.root}`;
  }

  async get(key: string): Promise<StoredBuild | null> {
    assertBuildKey(key);
    return this.readManifest(key);
  }

  async put(key: string, files: string[], metadata: Record<string, unknown>): Promise<StoredBuild> {
    assertBuildKey(key);
    const names = artifactNames(files);
    fs.mkdirSync(this.tmpRoot, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(this.tmpRoot, `put-${key.slice(0, 12)}-`));
    try {
      const stored: BuildArtifact[] = [];
      for (const [i, file] of files.entries()) {
        const to = path.join(tmp, names[i]);
        await fs.promises.copyFile(file, to);
        // The hash of the copy, not of the source: it is what fetch will check against.
        const d = await digestFile(to);
        stored.push({ name: names[i], bytes: d.bytes, sha256: d.sha256 });
      }
      const build = newStoredBuild(key, stored, metadata, new Date());
      fs.writeFileSync(path.join(tmp, MANIFEST_NAME), manifestText(build));
      this.install(tmp, key);
      return build;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  async fetch(key: string, destDir: string, names?: readonly string[]): Promise<StoredBuild> {
    assertBuildKey(key);
    fs.mkdirSync(destDir, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      const build = this.readManifest(key);
      if (!build) throw new Error(`no stored build ${key} in ${this.location}`);
      const bad = await this.copyVerified(onlyFiles(build, names), destDir);
      if (!bad) return this.touch(build);
      fs.rmSync(path.join(destDir, bad.file.name), { force: true });
      // Another put replaced the key while we copied: its files are fine, read them again.
      if (!sameFiles(build, this.readManifest(key))) {
        if (attempt < FETCH_ATTEMPTS) continue;
        throw new Error(`stored build ${key.slice(0, 12)} kept being replaced while it was fetched`);
      }
      await this.remove(key);
      throw corruptedFileError(key, bad.file.name, bad.file, bad.got);
    }
  }

  async list(): Promise<StoredBuild[]> {
    const out: StoredBuild[] = [];
    for (const key of this.keysOnDisk()) {
      const build = this.readManifest(key);
      if (build) out.push(build);
    }
    return out;
  }

  async remove(key: string): Promise<void> {
    assertBuildKey(key);
    this.discard(this.entryDir(key));
  }

  async prune(policy: RetentionPolicy, now: Date = new Date()): Promise<PruneResult> {
    this.cleanAbandoned(now);
    const builds = await this.list();
    const { remove, keptBytes } = selectForRetention(builds, policy, now);
    for (const key of remove) await this.remove(key);
    return { removed: remove, keptBytes };
  }

  private entryDir(key: string): string {
    return path.join(this.root, key.slice(0, 2), key);
  }

  private readManifest(key: string): StoredBuild | null {
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.entryDir(key), MANIFEST_NAME), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw e;
    }
    return parseManifest(text, key);
  }

  /** Renames a complete temp directory into place; an existing build of the key is moved aside first. */
  private install(tmp: string, key: string): void {
    const dest = this.entryDir(key);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    // A concurrent put of the same key may slip in between moving aside and renaming: try again.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.renameSync(tmp, dest);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
        this.discard(dest);
      }
    }
    throw new Error(`cannot store ${key}: its directory keeps being replaced`);
  }

  /** Moves a directory to the trash (atomic: readers see it gone at once), then deletes it. */
  private discard(dir: string): void {
    fs.mkdirSync(this.tmpRoot, { recursive: true });
    const trash = path.join(this.tmpRoot, `trash-${randomBytes(6).toString('hex')}`);
    try {
      fs.renameSync(dir, trash);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    fs.rmSync(trash, { recursive: true, force: true });
  }

  /** Copies each file to destDir; returns the first whose bytes do not match the manifest. */
  private async copyVerified(build: StoredBuild, destDir: string): Promise<{ file: BuildArtifact; got: Digest | null } | null> {
    const dir = this.entryDir(build.key);
    for (const file of build.files) {
      const to = path.join(destDir, file.name);
      try {
        await fs.promises.copyFile(path.join(dir, file.name), to);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { file, got: null };
        throw e;
      }
      const got = await digestFile(to);
      if (got.sha256 !== file.sha256 || got.bytes !== file.bytes) return { file, got };
    }
    return null;
  }

  /** Marks a build used now (manifest rewritten via temp + rename); best effort: the files are already fetched. */
  private touch(build: StoredBuild): StoredBuild {
    const used = { ...build, lastUsedAt: new Date().toISOString() };
    const dir = this.entryDir(build.key);
    const tmp = path.join(dir, `.${MANIFEST_NAME}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      // Only when the key still holds the files we fetched: never put an old file list over a new build.
      if (!sameFiles(build, this.readManifest(build.key))) return used;
      fs.writeFileSync(tmp, manifestText(used));
      fs.renameSync(tmp, path.join(dir, MANIFEST_NAME));
    } catch {
      fs.rmSync(tmp, { force: true });
    }
    return used;
  }

  private *keysOnDisk(): Generator<string> {
    for (const shard of readdirOrEmpty(this.root).sort()) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const key of readdirOrEmpty(path.join(this.root, shard)).sort()) {
        if (/^[0-9a-f]{64}$/.test(key) && key.startsWith(shard)) yield key;
      }
    }
  }

  /** Temp and trash directories left by a killed process, and build directories without a valid manifest. */
  private cleanAbandoned(now: Date): void {
    const old = (p: string) => {
      try {
        return now.getTime() - fs.statSync(p).mtimeMs > ABANDONED_MS;
      } catch {
        return false;
      }
    };
    for (const name of readdirOrEmpty(this.tmpRoot)) {
      const p = path.join(this.tmpRoot, name);
      if (old(p)) fs.rmSync(p, { recursive: true, force: true });
    }
    for (const key of this.keysOnDisk()) {
      const dir = this.entryDir(key);
      if (!this.readManifest(key) && old(dir)) this.discard(dir);
    }
  }
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
