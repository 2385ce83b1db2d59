import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type _Object,
} from '@aws-sdk/client-s3';
import { selectForRetention } from '@pfnlab/builds';
import type { BuildArtifact } from '@pfnlab/contracts';
import type { ArtifactStore, PruneResult, RetentionPolicy, StoredBuild } from './artifact-store';
import {
  artifactNames,
  assertBuildKey,
  corruptedFileError,
  onlyFiles,
  digestTap,
  manifestText,
  MANIFEST_NAME,
  newStoredBuild,
  parseManifest,
  sameFiles,
  writeDigested,
  type Digest,
} from './stored-manifest';

export interface S3ArtifactStoreOptions {
  /** An S3-compatible service (MinIO, Ceph RGW...); AWS itself when absent. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Key prefix of every object ('' for the bucket's root). */
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** http://host/bucket/key instead of http://bucket.host/key (most S3-compatible services want it). */
  forcePathStyle: boolean;
}

/** Objects of a key with no manifest older than this belong to a put that died. */
const ABANDONED_MS = 60 * 60 * 1000;
const FETCH_ATTEMPTS = 3;
const MANIFEST_READS_AT_ONCE = 8;
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_RE = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._/-]{0,512}$/;

/**
 * S3-compatible object storage: <prefix>/<key>/<file> per artifact and
 * <prefix>/<key>/manifest.json written last, so a build is visible only once
 * every file is there (get and list look at manifests only). Files are
 * streamed both ways and checked against their sha256 on fetch.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(opts: S3ArtifactStoreOptions) {
    if (!BUCKET_RE.test(opts.bucket)) throw new Error(`"${opts.bucket}" is not an S3 bucket name`);
    const prefix = opts.prefix.replace(/\/{2,}/g, '/').replace(/^\/+|\/+$/g, '');
    if (!PREFIX_RE.test(prefix)) throw new Error(`"${opts.prefix}" is not a usable key prefix (letters, digits, "._/-", no "." or ".." parts)`);
    if (!opts.accessKeyId || !opts.secretAccessKey) throw new Error('the S3 artifact store needs an access key id and a secret access key');
    this.bucket = opts.bucket;
    this.prefix = prefix;
    // Credentials and the endpoint stay out of the location: it ends up in build records and logs.
    this.location = `s3://${opts.bucket}${prefix ? `/${prefix}` : ''}`;
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region,
      forcePathStyle: opts.forcePathStyle,
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      // Our own sha256 covers integrity; the SDK's default CRC trailers are not understood by every S3-compatible service.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async get(key: string): Promise<StoredBuild | null> {
    assertBuildKey(key);
    return this.readManifest(key);
  }

  async put(key: string, files: string[], metadata: Record<string, unknown>): Promise<StoredBuild> {
    assertBuildKey(key);
    const names = artifactNames(files);
    // Replacing: the old manifest goes first, so no reader pairs it with the new files.
    await this.deleteObject(this.objectKey(key, MANIFEST_NAME));
    const stored: BuildArtifact[] = [];
    for (const [i, file] of files.entries()) {
      const d = await this.upload(file, this.objectKey(key, names[i]));
      stored.push({ name: names[i], bytes: d.bytes, sha256: d.sha256 });
    }
    const keepNames = new Set(names);
    for (const o of await this.listObjects(`${this.keyDir(key)}/`)) {
      if (o.Key && !keepNames.has(o.Key.slice(this.keyDir(key).length + 1))) await this.deleteObject(o.Key);
    }
    const build = newStoredBuild(key, stored, metadata, new Date());
    await this.writeManifest(build);
    return build;
  }

  async fetch(key: string, destDir: string, names?: readonly string[]): Promise<StoredBuild> {
    assertBuildKey(key);
    fs.mkdirSync(destDir, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      const build = await this.readManifest(key);
      if (!build) throw new Error(`no stored build ${key} in ${this.location}`);
      const bad = await this.downloadVerified(onlyFiles(build, names), destDir);
      if (!bad) return this.touch(build);
      fs.rmSync(path.join(destDir, bad.file.name), { force: true });
      // Another put replaced the key while we downloaded: read its manifest again.
      if (!sameFiles(build, await this.readManifest(key))) {
        if (attempt < FETCH_ATTEMPTS) continue;
        throw new Error(`stored build ${key.slice(0, 12)} kept being replaced while it was fetched`);
      }
      await this.remove(key);
      throw corruptedFileError(key, bad.file.name, bad.file, bad.got);
    }
  }

  async list(): Promise<StoredBuild[]> {
    const keys = [...this.groupByKey(await this.listObjects(this.prefix ? `${this.prefix}/` : '')).entries()]
      .filter(([, objects]) => objects.some((o) => o.Key?.endsWith(`/${MANIFEST_NAME}`)))
      .map(([key]) => key)
      .sort();
    const out: StoredBuild[] = [];
    for (let i = 0; i < keys.length; i += MANIFEST_READS_AT_ONCE) {
      const batch = await Promise.all(keys.slice(i, i + MANIFEST_READS_AT_ONCE).map((k) => this.readManifest(k)));
      for (const b of batch) if (b) out.push(b);
    }
    return out;
  }

  async remove(key: string): Promise<void> {
    assertBuildKey(key);
    // Invisible first, then the files.
    await this.deleteObject(this.objectKey(key, MANIFEST_NAME));
    for (const o of await this.listObjects(`${this.keyDir(key)}/`)) if (o.Key) await this.deleteObject(o.Key);
  }

  async prune(policy: RetentionPolicy, now: Date = new Date()): Promise<PruneResult> {
    const objects = await this.listObjects(this.prefix ? `${this.prefix}/` : '');
    // Files of puts that died before their manifest.
    for (const [, group] of this.groupByKey(objects)) {
      if (group.some((o) => o.Key?.endsWith(`/${MANIFEST_NAME}`))) continue;
      const newest = Math.max(...group.map((o) => o.LastModified?.getTime() ?? now.getTime()));
      if (now.getTime() - newest > ABANDONED_MS) for (const o of group) if (o.Key) await this.deleteObject(o.Key);
    }
    const { remove, keptBytes } = selectForRetention(await this.list(), policy, now);
    for (const key of remove) await this.remove(key);
    return { removed: remove, keptBytes };
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }

  private keyDir(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  private objectKey(key: string, name: string): string {
    return `${this.keyDir(key)}/${name}`;
  }

  private async readManifest(key: string): Promise<StoredBuild | null> {
    const body = await this.getObject(this.objectKey(key, MANIFEST_NAME));
    if (!body) return null;
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return parseManifest(Buffer.concat(chunks).toString('utf8'), key);
  }

  private async writeManifest(build: StoredBuild): Promise<void> {
    await this.client.send(new PutObjectCommand({
      Bucket: this.bucket,
      Key: this.objectKey(build.key, MANIFEST_NAME),
      Body: manifestText(build),
      ContentType: 'application/json',
    }));
  }

  /** Streams one file up, hashing what was sent. */
  private async upload(file: string, objectKey: string): Promise<Digest> {
    const size = (await fs.promises.stat(file)).size;
    const { tap, digest } = digestTap();
    const source = fs.createReadStream(file);
    source.on('error', (e) => tap.destroy(e));
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: source.pipe(tap), ContentLength: size }));
    const sent = digest();
    if (sent.bytes !== size) throw new Error(`${file} changed size while it was stored (${size} → ${sent.bytes} bytes)`);
    return sent;
  }

  /** Downloads each file to destDir; returns the first whose bytes do not match the manifest. */
  private async downloadVerified(build: StoredBuild, destDir: string): Promise<{ file: BuildArtifact; got: Digest | null } | null> {
    for (const file of build.files) {
      const body = await this.getObject(this.objectKey(build.key, file.name));
      if (!body) return { file, got: null };
      const got = await writeDigested(body, path.join(destDir, file.name));
      if (got.sha256 !== file.sha256 || got.bytes !== file.bytes) return { file, got };
    }
    return null;
  }

  /** Marks a build used now by rewriting its manifest; best effort: the files are already fetched. */
  private async touch(build: StoredBuild): Promise<StoredBuild> {
    const used = { ...build, lastUsedAt: new Date().toISOString() };
    try {
      // Only when the key still holds the files we fetched (a concurrent replace or remove wins).
      if (sameFiles(build, await this.readManifest(build.key))) await this.writeManifest(used);
    } catch {
      // The fetch itself succeeded; an old lastUsedAt only makes retention a little early.
    }
    return used;
  }

  private async getObject(objectKey: string): Promise<Readable | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return r.Body as Readable;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  private async deleteObject(objectKey: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
  }

  private async listObjects(prefix: string): Promise<_Object[]> {
    const out: _Object[] = [];
    let token: string | undefined;
    do {
      const r = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      out.push(...(r.Contents ?? []));
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /** Objects below the prefix grouped by build key (anything else under the prefix is not ours and is ignored). */
  private groupByKey(objects: _Object[]): Map<string, _Object[]> {
    const base = this.prefix ? `${this.prefix}/` : '';
    const groups = new Map<string, _Object[]>();
    for (const o of objects) {
      const m = o.Key?.startsWith(base) ? /^([0-9a-f]{64})\/[^/]+$/.exec(o.Key.slice(base.length)) : null;
      if (!m) continue;
      const g = groups.get(m[1]) ?? [];
      g.push(o);
      groups.set(m[1], g);
    }
    return groups;
  }
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  // A missing bucket is a misconfiguration, not a missing build.
  if (err?.name === 'NoSuchBucket') return false;
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}
