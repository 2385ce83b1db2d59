import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultBuildCacheDir } from '../kernel-build';
import type { ArtifactStore } from './artifact-store';
import { LocalArtifactStore } from './local-artifact-store';
import { S3ArtifactStore } from './s3-artifact-store';

const FORMS = 'file:///absolute/path, /absolute/path, or s3://bucket/prefix[?endpoint=http://host:port&region=REGION&pathStyle=1]';
const S3_PARAMS = new Set(['endpoint', 'region', 'pathStyle']);

/**
 * The artifact store a URL names. Credentials never come from the URL (it
 * is logged and shown): for s3:// they come from PFNLAB_S3_ACCESS_KEY_ID /
 * PFNLAB_S3_SECRET_ACCESS_KEY, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
 */
export function createArtifactStore(url: string, env: NodeJS.ProcessEnv = process.env): ArtifactStore {
  const u = url.trim();
  if (path.isAbsolute(u)) return new LocalArtifactStore(u);
  if (u.startsWith('file:')) return new LocalArtifactStore(localPath(u));
  if (u.startsWith('s3:')) return new S3ArtifactStore(s3Options(u, env));
  throw new Error(`artifact store "${u}" is not one of: ${FORMS}`);
}

/** PFNLAB_ARTIFACT_STORE, else <build cache>/artifacts (~/.cache/pfnlab/artifacts). */
export function defaultArtifactStoreUrl(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.PFNLAB_ARTIFACT_STORE?.trim();
  return configured || path.join(defaultBuildCacheDir(), 'artifacts');
}

function localPath(url: string): string {
  if (!url.startsWith('file:///')) throw new Error(`artifact store "${url}" is not a file:///absolute/path URL; expected ${FORMS}`);
  let p: string;
  try {
    p = fileURLToPath(url);
  } catch (e) {
    throw new Error(`artifact store "${url}" is not a file:///absolute/path URL (${(e as Error).message}); expected ${FORMS}`);
  }
  if (!path.isAbsolute(p)) throw new Error(`artifact store "${url}" is not a file:///absolute/path URL; expected ${FORMS}`);
  return p;
}

function s3Options(url: string, env: NodeJS.ProcessEnv): ConstructorParameters<typeof S3ArtifactStore>[0] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`artifact store "${redact(url)}" is not a URL; expected ${FORMS}`);
  }
  if (u.username || u.password) {
    throw new Error(`artifact store "${redact(url)}": credentials do not go in the URL; set PFNLAB_S3_ACCESS_KEY_ID and PFNLAB_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`);
  }
  // URL parsing would quietly resolve "a/../b" to "b": a prefix is taken as written or refused.
  if (/(^|\/)\.\.?(\/|$)/.test(url.replace(/^s3:\/\/[^/?#]*/, '').split(/[?#]/)[0])) {
    throw new Error(`artifact store "${redact(url)}": "${u.pathname}" is not a usable key prefix (no "." or ".." parts)`);
  }
  if (!u.hostname) throw new Error(`artifact store "${url}" names no bucket; expected ${FORMS}`);
  for (const name of u.searchParams.keys()) {
    if (!S3_PARAMS.has(name)) throw new Error(`artifact store "${redact(url)}": unknown parameter "${name}" (known: ${[...S3_PARAMS].join(', ')})`);
  }
  const endpoint = u.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined && endpoint.includes('@')) {
    throw new Error(`artifact store "${redact(url)}": the endpoint must not carry credentials; set PFNLAB_S3_ACCESS_KEY_ID and PFNLAB_S3_SECRET_ACCESS_KEY`);
  }
  if (endpoint !== undefined && !/^https?:\/\/[^/?#\s@]+\/?$/.test(endpoint)) {
    throw new Error(`artifact store "${redact(url)}": endpoint must be http(s)://host[:port]`);
  }
  const pathStyle = u.searchParams.get('pathStyle');
  if (pathStyle !== null && !['0', '1', 'true', 'false'].includes(pathStyle)) {
    throw new Error(`artifact store "${redact(url)}": pathStyle must be 1 or 0`);
  }
  const accessKeyId = env.PFNLAB_S3_ACCESS_KEY_ID || env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.PFNLAB_S3_SECRET_ACCESS_KEY || env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(`artifact store ${u.protocol}//${u.hostname}${u.pathname}: set PFNLAB_S3_ACCESS_KEY_ID and PFNLAB_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`);
  }
  return {
    bucket: u.hostname,
    prefix: u.pathname,
    endpoint,
    region: u.searchParams.get('region') || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    // S3-compatible services behind an endpoint rarely have per-bucket host names.
    forcePathStyle: pathStyle === null ? endpoint !== undefined : pathStyle === '1' || pathStyle === 'true',
    accessKeyId,
    secretAccessKey,
  };
}

/** The URL for an error message, with any userinfo (which would be a secret) cut out. */
function redact(url: string): string {
  return url.replace(/^(\w+:\/\/)[^/@?#]*@/, '$1***@').replace(/([?&]endpoint=[a-z]+(?::|%3A)(?:\/\/|%2F%2F))[^/@&]*@/i, '$1***@');
}
