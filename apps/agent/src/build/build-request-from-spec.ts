import * as fs from 'node:fs';
import * as path from 'node:path';
import { isBuildArch } from '@pfnlab/builds';
import type { Arch, JobSpec } from '@pfnlab/contracts';
import { BuildStop, type BuildRequest } from './build-types';

type KernelSource = Extract<JobSpec['kernel'], { tree: string }>;

/** Where an agent finds what a job spec names by relative path. */
export interface BuildInputDirs {
  /** Patch files named by relative path in `kernel.patches`. */
  patchDir: string;
  /** Stored configs named `stored:NAME` in `kernel.config.base`. */
  configDir: string;
}

const MAX_PATCH_BYTES = 16 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 60_000;

/**
 * Turns a job's `kernel:` source section into a BuildRequest of local files:
 * the fragment lines into a fragment file, relative patch paths into files
 * under the patch dir, https patches downloaded (size-capped), `stored:NAME`
 * into the config dir. Every field was validated by the job-spec grammar
 * already; what can still be wrong (a missing file, a failed download) is
 * an ERROR naming it.
 */
export async function buildRequestFromSpec(kernel: KernelSource, arch: Arch, dirs: BuildInputDirs, workDir: string, outDir: string): Promise<BuildRequest> {
  if (!isBuildArch(arch)) throw new BuildStop('ERROR', `pfnlab cannot build for arch ${arch}`);
  fs.mkdirSync(workDir, { recursive: true });
  const fragments: string[] = [];
  if (kernel.config.fragments.length) {
    const file = path.join(workDir, 'job.config');
    fs.writeFileSync(file, kernel.config.fragments.join('\n') + '\n');
    fragments.push(file);
  }
  const patches: string[] = [];
  for (const [i, p] of kernel.patches.entries()) {
    if (p.startsWith('https://')) patches.push(await download(p, path.join(workDir, `patch-${String(i + 1).padStart(4, '0')}.mbox`)));
    else patches.push(existing(path.join(dirs.patchDir, p.replace(/^\/+/, '')), `patch ${p}`, `put it under the agent's patch dir (${dirs.patchDir})`));
  }
  const base = kernel.config.base.startsWith('stored:')
    ? existing(path.join(dirs.configDir, kernel.config.base.slice('stored:'.length)), `stored config ${kernel.config.base}`, `store it in the agent's config dir (${dirs.configDir})`)
    : kernel.config.base;
  return { tree: kernel.tree, ref: kernel.ref, arch, configBase: base, fragments, patches, toolchain: kernel.toolchain, outDir };
}

function existing(file: string, what: string, hint: string): string {
  if (!fs.existsSync(file)) throw new BuildStop('ERROR', `${what} is not on this agent`, hint);
  return file;
}

async function download(url: string, to: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'follow' });
  } catch (e) {
    throw new BuildStop('ERROR', `cannot download patch ${url}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new BuildStop('ERROR', `cannot download patch ${url}: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_PATCH_BYTES) throw new BuildStop('ERROR', `patch ${url} is ${declared} bytes; the limit is ${MAX_PATCH_BYTES}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_PATCH_BYTES) throw new BuildStop('ERROR', `patch ${url} is larger than ${MAX_PATCH_BYTES} bytes`);
  fs.writeFileSync(to, bytes);
  return to;
}
