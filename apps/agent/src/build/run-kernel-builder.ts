import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeBuildLog } from '@pfnlab/builds';
import type { BuildEvent, BuildResultSummary, RunDispatch } from '@pfnlab/contracts';
import type { ArtifactStore, RetentionPolicy } from './artifact-store/artifact-store';
import { buildRequestFromSpec, type BuildInputDirs } from './build-request-from-spec';
import type { BuildSlots } from './build-slots';
import { BuildStop, type BuildProgress, type BuildResult } from './build-types';
import { KernelBuild } from './kernel-build';

export interface RunKernelBuilderDeps extends BuildInputDirs {
  /** Mirrors, worktrees and ccache. */
  cacheDir: string;
  store: ArtifactStore;
  slots: BuildSlots;
  /** Applied after each new stored build. */
  retention?: RetentionPolicy;
}

/** What the run boots once its kernel is built. */
export interface BuiltKernel {
  buildId: string;
  kernelPath: string;
  result: BuildResult;
}

type BuildEventBody = Omit<BuildEvent, 'type' | 'runId' | 'leaseToken' | 'buildId' | 'at'>;

const PROGRESS_INTERVAL_MS = 1000;
const LOG_TAIL = 2 * 1024 * 1024 - 1024;

/**
 * The builder role inside a run: builds (or reuses) the kernel of a job's
 * `kernel:` source section, one build per agent at a time, and reports it
 * as build events (progress at most once a second, every phase change at
 * once, then the result). A build that does not pass ends the run's deploy
 * step with the build's own verdict and title.
 */
export class RunKernelBuilder {
  constructor(private readonly deps: RunKernelBuilderDeps, private readonly warn: (message: string) => void = () => undefined) {}

  async build(d: RunDispatch, runDir: string, send: (e: BuildEventBody & { buildId: string }) => Promise<void>, signal: AbortSignal): Promise<BuiltKernel> {
    const kernel = d.spec.kernel;
    if (!('tree' in kernel)) throw new Error('not a kernel source section');
    const buildId = randomUUID();
    const request = {
      tree: kernel.tree, ref: kernel.ref, arch: d.spec.arch, configBase: kernel.config.base,
      fragments: kernel.config.fragments, patches: kernel.patches, toolchain: kernel.toolchain,
    };
    let lastSent = 0;
    let lastPhase = '';
    const progress = (p: BuildProgress) => {
      const now = Date.now();
      if (p.phase === lastPhase && now - lastSent < PROGRESS_INTERVAL_MS) return;
      lastSent = now;
      lastPhase = p.phase;
      void send({ buildId, state: 'running', progress: { phase: p.phase, percent: p.percent, ...(p.message ? { message: p.message.slice(0, 500) } : {}) } }).catch(() => undefined);
    };
    await send({ buildId, state: 'running', request, progress: { phase: 'fetch', percent: null, ...(this.deps.slots.available ? {} : { message: 'waiting for a build slot' }) } });
    const release = await this.deps.slots.acquire(signal);
    let result: BuildResult;
    try {
      const outDir = path.join(runDir, 'build');
      try {
        const req = await buildRequestFromSpec(kernel, d.spec.arch, this.deps, path.join(runDir, 'build-inputs'), outDir);
        result = await new KernelBuild(req, { cacheDir: this.deps.cacheDir, store: this.deps.store, signal, onProgress: progress }).run();
      } catch (e) {
        if (!(e instanceof BuildStop)) throw e;
        result = stoppedBeforeBuilding(e, d.spec.arch);
      }
    } finally {
      release();
    }
    await send({ buildId, state: 'finished', result: summarize(result) });
    if (result.status === 'PASS' && !result.reused && this.deps.retention) {
      // The build being booted was just used, so it is never the one to go.
      await this.deps.store.prune({ ...this.deps.retention, keep: [...(this.deps.retention.keep ?? []), ...(result.contentHash ? [result.contentHash] : [])] })
        .catch((e) => this.warn(`artifact retention failed: ${(e as Error).message}`));
    }
    if (result.status !== 'PASS' || !result.image) throw new BuildStop(result.status === 'PASS' ? 'ERROR' : result.status, `build ${result.status}: ${result.title}`);
    return { buildId, kernelPath: result.image, result };
  }
}

function stoppedBeforeBuilding(e: BuildStop, arch: RunDispatch['spec']['arch']): BuildResult {
  return {
    status: e.status, title: e.title, arch: arch as BuildResult['arch'], image: null, artifacts: [], seconds: 0, droppedOptions: [],
    phase: 'fetch', commit: null, detail: e.detail, contentHash: null, reused: false, files: [], location: null, sizeDelta: null, metadata: {},
  };
}

/** The build result as the contract carries it: bounded lists, the log's tail. */
export function summarize(r: BuildResult): BuildResultSummary {
  const logFile = r.artifacts.find((a) => path.basename(a) === 'build.log');
  let log = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
  if (r.detail && !log.includes(r.detail)) log += `\n${r.detail}\n`;
  // A passing build's log is read for its warnings too (a failed one was analysed already).
  const analysis = r.analysis ?? (log ? analyzeBuildLog(log) : undefined);
  if (log.length > LOG_TAIL) log = `[... ${log.length - LOG_TAIL} characters cut ...]\n${log.slice(-LOG_TAIL)}`;
  return {
    status: r.status,
    title: r.title.slice(0, 1000),
    phase: r.phase,
    commit: r.commit,
    contentHash: r.contentHash,
    reused: r.reused,
    seconds: r.seconds,
    image: r.image ? path.basename(r.image) : null,
    artifacts: r.files.slice(0, 100),
    location: r.location,
    metadata: r.metadata,
    errors: (analysis?.errors ?? []).slice(0, 50).map((e) => ({
      kind: e.kind, title: e.title.slice(0, 1000), ...(e.file ? { file: e.file.slice(0, 500) } : {}), ...(e.line !== undefined ? { line: e.line } : {}), count: e.count,
    })),
    warnings: analysis?.warnings.reduce((n, w) => n + w.count, 0) ?? 0,
    droppedOptions: r.droppedOptions.slice(0, 100).map((o) => ({
      option: o.option.slice(0, 200), requested: o.requested.slice(0, 200), actual: o.actual.slice(0, 200), explanation: o.explanation.slice(0, 2000),
    })),
    sizeDelta: r.sizeDelta,
    log,
  };
}
