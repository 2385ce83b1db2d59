import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ArtifactStore } from '../../apps/agent/src/build/artifact-store/artifact-store';
import { createArtifactStore, defaultArtifactStoreUrl } from '../../apps/agent/src/build/artifact-store/create-artifact-store';
import { LocalArtifactStore } from '../../apps/agent/src/build/artifact-store/local-artifact-store';
import { S3ArtifactStore } from '../../apps/agent/src/build/artifact-store/s3-artifact-store';

// s3rver has no type declarations; it is a real S3 REST server, run in-process.
const S3rver = require('s3rver') as new (opts: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void> };

/*
 * One behaviour suite, run against the local directory store and against
 * the S3 store talking to a real S3 server (s3rver) on a free port. The
 * store-specific part is only how a test reaches behind the store's back to
 * damage it (corrupt a file, leave a half-written build).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BUCKET = 'pfnlab-artifacts';
const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const keyOf = (s: string) => createHash('sha256').update(s).digest('hex');

interface Backend {
  store: ArtifactStore;
  /** Overwrites a stored file's bytes behind the store's back. */
  corrupt(key: string, name: string, bytes: Buffer): Promise<void>;
  /** Leaves what a put killed before its manifest leaves. */
  leaveHalfWritten(key: string): Promise<void>;
  /** Whether anything of that half-written put is still there. */
  halfWrittenRemains(key: string): Promise<boolean>;
  /** Every stored object/file name under the store (to check nothing stale stays). */
  storedNames(key: string): Promise<string[]>;
}

let work: string;
let s3dir: string;
let s3server: { close(): Promise<void> };
let s3port: number;
let raw: S3Client;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-store-'));
  s3dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
  s3port = (await server.run()).port;
  s3server = server;
  raw = new S3Client({
    endpoint: `http://127.0.0.1:${s3port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});

afterAll(async () => {
  raw?.destroy();
  await s3server?.close();
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(s3dir, { recursive: true, force: true });
});

function localBackend(): Backend {
  const root = fs.mkdtempSync(path.join(work, 'local-'));
  const entry = (key: string) => path.join(root, key.slice(0, 2), key);
  const tmp = (key: string) => path.join(root, '.tmp', `put-${key.slice(0, 12)}-killed`);
  return {
    store: createArtifactStore(`file://${root}`, {}),
    corrupt: async (key, name, bytes) => fs.writeFileSync(path.join(entry(key), name), bytes),
    leaveHalfWritten: async (key) => {
      fs.mkdirSync(tmp(key), { recursive: true });
      fs.writeFileSync(path.join(tmp(key), 'bzImage'), 'half');
      // Even a build directory without its manifest (not something put makes) is not a build.
      fs.mkdirSync(entry(key), { recursive: true });
      fs.writeFileSync(path.join(entry(key), 'bzImage'), 'half');
    },
    halfWrittenRemains: async (key) => fs.existsSync(tmp(key)) || fs.existsSync(entry(key)),
    storedNames: async (key) => (fs.existsSync(entry(key)) ? fs.readdirSync(entry(key)).sort() : []),
  };
}

function s3Backend(): Backend {
  const prefix = `ci/${randomBytes(4).toString('hex')}`;
  const url = `s3://${BUCKET}/${prefix}?endpoint=http://127.0.0.1:${s3port}&region=us-east-1&pathStyle=1`;
  const list = async (key: string) =>
    ((await raw.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/${key}/` }))).Contents ?? []).map((o) => o.Key!.slice(prefix.length + key.length + 2)).sort();
  return {
    store: createArtifactStore(url, S3_ENV),
    corrupt: async (key, name, bytes) => {
      await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${key}/${name}`, Body: bytes }));
    },
    leaveHalfWritten: async (key) => {
      await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${key}/bzImage`, Body: 'half' }));
    },
    halfWrittenRemains: async (key) => (await list(key)).length > 0,
    storedNames: list,
  };
}

/** A small build's artifacts, with a vmlinux of a few MB so streams take several chunks. */
function makeBuildFiles(tag: string, vmlinuxBytes = 3 * 1024 * 1024 + 17): string[] {
  const dir = fs.mkdtempSync(path.join(work, 'src-'));
  const files: Record<string, Buffer> = {
    bzImage: Buffer.from(`bzImage of ${tag}\n`.repeat(100)),
    vmlinux: randomBytes(vmlinuxBytes),
    'System.map': Buffer.from(`ffffffff81000000 T _text ${tag}\n`),
    '.config': Buffer.from('CONFIG_PRINTK=y\n'),
    'metadata.json': Buffer.from(JSON.stringify({ tag })),
  };
  return Object.entries(files).map(([name, bytes]) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    return p;
  });
}

const totalBytes = (files: string[]) => files.reduce((s, f) => s + fs.statSync(f).size, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each([
  ['LocalArtifactStore', localBackend],
  ['S3ArtifactStore (s3rver)', s3Backend],
] as const)('%s', (_name, makeBackend) => {
  let b: Backend;
  beforeEach(() => {
    b = makeBackend();
  });
  afterEach(() => {
    if (b.store instanceof S3ArtifactStore) b.store.close();
  });

  it('stores, gets and fetches a build, verifying every file and marking it used', async () => {
    const files = makeBuildFiles('round trip');
    const key = keyOf('round trip');
    const put = await b.store.put(key, files, { arch: 'x86_64', images: { bzImage: 1600 } });
    expect(put.key).toBe(key);
    expect(put.files).toEqual(files.map((f) => ({ name: path.basename(f), bytes: fs.statSync(f).size, sha256: sha256(fs.readFileSync(f)) })));
    expect(put.bytes).toBe(totalBytes(files));
    expect(put.metadata).toEqual({ arch: 'x86_64', images: { bzImage: 1600 } });
    expect(put.lastUsedAt).toBe(put.createdAt);

    expect(await b.store.get(key)).toEqual(put);
    expect((await b.store.list()).map((s) => s.key)).toEqual([key]);

    await sleep(20);
    const dest = path.join(work, `fetched-${randomBytes(4).toString('hex')}`, 'out');
    const fetched = await b.store.fetch(key, dest);
    for (const f of files) expect(fs.readFileSync(path.join(dest, path.basename(f))).equals(fs.readFileSync(f))).toBe(true);
    expect(fs.readdirSync(dest).sort()).toEqual(files.map((f) => path.basename(f)).sort());
    expect(fetched.files).toEqual(put.files);
    expect(fetched.createdAt).toBe(put.createdAt);
    expect(Date.parse(fetched.lastUsedAt)).toBeGreaterThan(Date.parse(put.lastUsedAt));
    // get does not touch lastUsedAt, but sees the one fetch wrote.
    expect((await b.store.get(key))?.lastUsedAt).toBe(fetched.lastUsedAt);
    expect((await b.store.get(key))?.lastUsedAt).toBe(fetched.lastUsedAt);
  });

  it('fetches only the named files when asked (a size delta reads the symbol table, not vmlinux)', async () => {
    const files = makeBuildFiles('partial');
    const key = keyOf('partial');
    await b.store.put(key, files, {});
    const one = path.basename(files[files.length - 1]);
    const dest = path.join(work, `partial-${randomBytes(4).toString('hex')}`);
    await b.store.fetch(key, dest, [one]);
    expect(fs.readdirSync(dest)).toEqual([one]);
    expect(fs.readFileSync(path.join(dest, one)).equals(fs.readFileSync(files[files.length - 1]))).toBe(true);
  });

  it('answers null for a key it does not hold, and fetch says which', async () => {
    const key = keyOf('never stored');
    expect(await b.store.get(key)).toBeNull();
    await expect(b.store.fetch(key, path.join(work, 'nothing'))).rejects.toThrow(`no stored build ${key}`);
    await expect(b.store.remove(key)).resolves.toBeUndefined();
  });

  it('does not show a build whose manifest was never written, and prune clears it after an hour', async () => {
    const key = keyOf('half written');
    await b.leaveHalfWritten(key);
    expect(await b.store.get(key)).toBeNull();
    expect(await b.store.list()).toEqual([]);
    await expect(b.store.fetch(key, path.join(work, 'half'))).rejects.toThrow('no stored build');
    // A put in progress is not touched...
    await b.store.prune({}, new Date());
    expect(await b.halfWrittenRemains(key)).toBe(true);
    // ... an abandoned one is.
    await b.store.prune({}, new Date(Date.now() + 2 * HOUR));
    expect(await b.halfWrittenRemains(key)).toBe(false);
  });

  it('replaces an existing key whole, leaving none of the old files', async () => {
    const key = keyOf('replaced');
    await b.store.put(key, makeBuildFiles('first'), { n: 1 });
    const second = makeBuildFiles('second', 1000).filter((f) => path.basename(f) !== 'System.map');
    const put = await b.store.put(key, second, { n: 2 });
    expect(await b.store.get(key)).toEqual(put);
    expect(await b.storedNames(key)).toEqual(['.config', 'bzImage', 'manifest.json', 'metadata.json', 'vmlinux']);
    const dest = path.join(work, `replaced-${randomBytes(4).toString('hex')}`);
    await b.store.fetch(key, dest);
    expect(fs.readFileSync(path.join(dest, 'bzImage'), 'utf8')).toContain('bzImage of second');
    expect(fs.existsSync(path.join(dest, 'System.map'))).toBe(false);
  });

  it('detects a corrupted stored file on fetch, naming it, and drops the entry so the next build rebuilds', async () => {
    const key = keyOf('corrupted');
    const files = makeBuildFiles('corrupted');
    await b.store.put(key, files, {});
    const vmlinux = fs.readFileSync(files[1]);
    const flipped = Buffer.from(vmlinux);
    flipped[flipped.length >> 1] ^= 0xff;
    await b.corrupt(key, 'vmlinux', flipped);
    const dest = path.join(work, `corrupt-${randomBytes(4).toString('hex')}`);
    await expect(b.store.fetch(key, dest)).rejects.toThrow(/vmlinux is corrupted .*expected sha256 /);
    expect(fs.existsSync(path.join(dest, 'vmlinux'))).toBe(false);
    expect(await b.store.get(key)).toBeNull();
    expect(await b.storedNames(key)).toEqual([]);
  });

  it('prunes by age and by size, least recently used first, never a kept key', async () => {
    const [k1, k2, k3, k4] = ['a', 'b', 'c', 'd'].map((s) => keyOf(`prune ${s}`));
    const sizes = new Map<string, number>();
    const puts = new Map<string, string>();
    for (const k of [k1, k2, k3, k4]) {
      const files = makeBuildFiles(k, 4096);
      const s = await b.store.put(k, files, {});
      sizes.set(k, s.bytes);
      puts.set(k, s.lastUsedAt);
      await sleep(25);
    }
    // k1 is used again: now the most recently used.
    const used = await b.store.fetch(k1, path.join(work, `prune-${randomBytes(4).toString('hex')}`));

    // By age: one day after k3's last use, k2 (older) has passed the limit, k3 and k4 have not; k2 is kept anyway.
    const oneDayAfterK3 = new Date(Date.parse(puts.get(k3)!) + DAY - 1);
    expect(await b.store.prune({ maxAgeDays: 1, keep: [k2] }, oneDayAfterK3)).toEqual({ removed: [], keptBytes: [...sizes.values()].reduce((a, x) => a + x, 0) });
    expect(await b.store.prune({ maxAgeDays: 1 }, oneDayAfterK3)).toEqual({ removed: [k2], keptBytes: sizes.get(k1)! + sizes.get(k3)! + sizes.get(k4)! });
    expect(await b.store.get(k2)).toBeNull();

    // By size: room for two builds; k3 is least recently used but kept, so k4 goes, then k1 would be next.
    const two = sizes.get(k3)! + sizes.get(k1)!;
    const r = await b.store.prune({ maxTotalBytes: two, keep: [k3] }, new Date(Date.parse(used.lastUsedAt) + 1000));
    expect(r).toEqual({ removed: [k4], keptBytes: two });
    expect((await b.store.list()).map((s) => s.key).sort()).toEqual([k1, k3].sort());
  });

  it('says where it is without any secret', () => {
    const loc = b.store.location;
    if (b.store instanceof LocalArtifactStore) expect(loc).toMatch(/^file:\/\/\/.*\/local-[^/]+$/);
    else {
      expect(b.store).toBeInstanceOf(S3ArtifactStore);
      expect(loc).toMatch(new RegExp(`^s3://${BUCKET}/ci/[0-9a-f]{8}$`));
    }
    expect(loc).not.toContain('S3RVER');
    expect(loc).not.toContain(String(s3port));
  });

  it('refuses keys that are not 64 lowercase hex, before touching storage', async () => {
    const files = makeBuildFiles('bad keys', 10);
    for (const bad of ['../../../../tmp/x', '..', '', 'A'.repeat(64), `${'a'.repeat(63)}/`, `${'a'.repeat(64)}/../x`]) {
      await expect(b.store.get(bad)).rejects.toThrow('is not a build key');
      await expect(b.store.put(bad, files, {})).rejects.toThrow('is not a build key');
      await expect(b.store.fetch(bad, path.join(work, 'bad'))).rejects.toThrow('is not a build key');
      await expect(b.store.remove(bad)).rejects.toThrow('is not a build key');
    }
    expect(fs.existsSync(path.join(work, 'bad'))).toBe(false);
    expect(await b.store.list()).toEqual([]);
  });

  it('refuses files it could not store faithfully', async () => {
    const key = keyOf('bad files');
    const [bz] = makeBuildFiles('bad files', 10);
    const dup = path.join(fs.mkdtempSync(path.join(work, 'dup-')), 'bzImage');
    fs.writeFileSync(dup, 'other');
    await expect(b.store.put(key, [bz, dup], {})).rejects.toThrow('two artifacts are named bzImage');
    const manifest = path.join(path.dirname(dup), 'manifest.json');
    fs.writeFileSync(manifest, '{}');
    await expect(b.store.put(key, [manifest], {})).rejects.toThrow('keeps for itself');
    await expect(b.store.put(key, ['relative/bzImage'], {})).rejects.toThrow('not an absolute path');
    expect(await b.store.get(key)).toBeNull();
  });
});

describe('createArtifactStore', () => {
  it('makes a local store from a file URL or an absolute path', () => {
    expect(createArtifactStore('file:///var/cache/pfnlab/artifacts').location).toBe('file:///var/cache/pfnlab/artifacts');
    expect(createArtifactStore('/var/cache/pfnlab/artifacts')).toBeInstanceOf(LocalArtifactStore);
  });

  it('makes an S3 store with credentials from the environment, never from the URL', () => {
    const store = createArtifactStore('s3://lab-builds/x86/kernels?endpoint=http://minio.lab:9000&region=eu-west-1', { PFNLAB_S3_ACCESS_KEY_ID: 'id', PFNLAB_S3_SECRET_ACCESS_KEY: 'secret' });
    expect(store).toBeInstanceOf(S3ArtifactStore);
    expect(store.location).toBe('s3://lab-builds/x86/kernels');
    expect(createArtifactStore('s3://lab-builds', S3_ENV).location).toBe('s3://lab-builds');
    expect(() => createArtifactStore('s3://lab-builds/p', {})).toThrow(/set PFNLAB_S3_ACCESS_KEY_ID and PFNLAB_S3_SECRET_ACCESS_KEY \(or AWS_ACCESS_KEY_ID/);
    const withSecret = () => createArtifactStore('s3://AKIA:hunter2@lab-builds/p', S3_ENV);
    expect(withSecret).toThrow('credentials do not go in the URL');
    expect(withSecret).not.toThrow(/hunter2/);
    expect(() => createArtifactStore('s3://lab-builds/p?endpoint=http://u:hunter2@minio:9000', S3_ENV)).toThrow(/must not carry credentials/);
    expect(() => createArtifactStore('s3://lab-builds/p?endpoint=http://u:hunter2@minio:9000', S3_ENV)).not.toThrow(/hunter2/);
    expect(() => createArtifactStore('s3://lab-builds/p?bucket=x', S3_ENV)).toThrow('unknown parameter "bucket"');
    expect(() => createArtifactStore('s3://Lab_Builds/p', S3_ENV)).toThrow('is not an S3 bucket name');
    expect(() => createArtifactStore('s3://lab-builds/a/../b', S3_ENV)).toThrow('is not a usable key prefix');
  });

  it('refuses other forms, naming the ones it takes', () => {
    for (const url of ['artifacts', './artifacts', 'http://example.com/artifacts', 'file:relative']) {
      expect(() => createArtifactStore(url)).toThrow(/file:\/\/\/absolute\/path, \/absolute\/path, or s3:\/\/bucket\/prefix/);
    }
  });

  it('defaults to PFNLAB_ARTIFACT_STORE, else the build cache', () => {
    expect(defaultArtifactStoreUrl({ PFNLAB_ARTIFACT_STORE: 's3://b/p' })).toBe('s3://b/p');
    const saved = process.env.PFNLAB_BUILD_CACHE;
    process.env.PFNLAB_BUILD_CACHE = '/srv/cache';
    try {
      expect(defaultArtifactStoreUrl({})).toBe('/srv/cache/artifacts');
    } finally {
      if (saved === undefined) delete process.env.PFNLAB_BUILD_CACHE;
      else process.env.PFNLAB_BUILD_CACHE = saved;
    }
  });
});

// Keep the raw-client helpers honest: they see what the store wrote.
describe('s3 layout', () => {
  it('keeps <prefix>/<key>/<file> objects and the manifest', async () => {
    const store = createArtifactStore(`s3://${BUCKET}/layout?endpoint=http://127.0.0.1:${s3port}`, S3_ENV) as S3ArtifactStore;
    const key = keyOf('layout');
    const [bz] = makeBuildFiles('layout', 10);
    await store.put(key, [bz], { x: 1 });
    const m = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: `layout/${key}/manifest.json` }));
    expect(JSON.parse(await m.Body!.transformToString())).toMatchObject({ key, files: [{ name: 'bzImage' }], metadata: { x: 1 } });
    await raw.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `layout/${key}/manifest.json` }));
    expect(await store.get(key)).toBeNull();
    store.close();
  });
});
