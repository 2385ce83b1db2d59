import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { baseBuildKey, buildKey, type BuildKeyInputs } from '@pfnlab/builds';
import type { BuildArtifact } from '@pfnlab/contracts';
import { ArtifactCollector } from './artifact-collector';
import type { ArtifactStore } from './artifact-store/artifact-store';
import { sizeDeltaAgainstBase, SYMBOLS_ARTIFACT } from './base-size-delta';
import { BuildStop, type BuildPhase, type BuildProgress, type BuildRequest, type BuildResult } from './build-types';
import { BuildWorktree, type BuildSourceTree } from './build-worktree';
import { runCommand } from './command-runner';
import { KernelConfigurator } from './kernel-configurator';
import { KernelMake } from './kernel-make';
import { KernelToolchain } from './kernel-toolchain';
import { KernelTreeMirror } from './kernel-tree-mirror';
import { PatchApplier } from './patch-applier';
import { writeBuildOwner } from './stale-build-sweeper';
import { WorktreePool } from './worktree-pool';

export interface KernelBuildOptions {
  /** Mirrors, worktrees, ccache and compile estimates live here (default ~/.cache/pfnlab). */
  cacheDir?: string;
  /** ccache's directory (default <cacheDir>/ccache). */
  ccacheDir?: string;
  onProgress?: (p: BuildProgress) => void;
  /** Keep the build's own worktree and object directory after the build (debugging); others use the worktree pool. */
  keepWorkDir?: boolean;
  /** Identical builds are fetched from here instead of rebuilt; finished builds are stored here. */
  store?: ArtifactStore;
  /** Stops the build between phases (a canceled run). */
  signal?: AbortSignal;
}

export function defaultBuildCacheDir(): string {
  return process.env.PFNLAB_BUILD_CACHE ?? path.join(os.homedir(), '.cache', 'pfnlab');
}

/**
 * One kernel build, phase by phase: fetch (mirror + ref) → worktree → patch
 * → config → compile → package. Never throws for a build's own failure:
 * the result says PASS, FAIL (a patch does not apply, the code does not
 * compile) or ERROR (a dropped option, a bad ref, a missing toolchain),
 * with a one-line title.
 */
export class KernelBuild {
  private phase: BuildPhase = 'fetch';
  private readonly cacheDir: string;

  constructor(private readonly req: BuildRequest, private readonly opts: KernelBuildOptions = {}) {
    this.cacheDir = opts.cacheDir ?? defaultBuildCacheDir();
  }

  async run(): Promise<BuildResult> {
    const started = Date.now();
    const workRoot = path.join(this.cacheDir, 'builds');
    const workDir = path.join(workRoot, `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`);
    const logFile = path.join(workDir, 'build.log');
    fs.mkdirSync(workDir, { recursive: true });
    writeBuildOwner(workDir, { keep: this.opts.keepWorkDir });
    // The whole cache directory is ccache's base: work directories and pooled worktrees alike.
    const toolchain = new KernelToolchain(this.req.arch, this.req.toolchain, this.opts.ccacheDir ?? path.join(this.cacheDir, 'ccache'), this.cacheDir);
    let worktree: BuildSourceTree | null = null;
    let commit: string | null = null;
    let contentHash: string | null = null;
    const store = this.opts.store;
    const seconds = () => Math.round((Date.now() - started) / 100) / 10;
    try {
      // Inputs first: a missing patch file or a bad fragment line must not cost a fetch.
      const patches = PatchApplier.inspect(this.req.patches);
      const requested = KernelConfigurator.readFragments(this.req.fragments);
      await toolchain.check();

      this.enter('fetch', logFile);
      const mirrors = new KernelTreeMirror(this.cacheDir);
      const mirror = await mirrors.update(this.req.tree);
      commit = await mirrors.resolve(mirror, this.req.ref);
      const versions = await toolchain.versions();
      const keyInputs = this.keyInputs(commit, patches.map((p) => p.sha256), requested, versions);
      const key = buildKey(keyInputs);
      contentHash = key;
      if (store && (await store.get(key))) {
        // A stored build that cannot be fetched (a corrupted file is dropped from the store) is simply built again.
        const reused = await this.reuse(store, key, commit, logFile, seconds).catch((e: Error) => {
          fs.appendFileSync(logFile, `# stored build ${key.slice(0, 12)} not reusable (${e.message}); building\n`);
          return null;
        });
        if (reused) return reused;
      }

      this.enter('worktree', logFile, commit.slice(0, 12));
      worktree = this.opts.keepWorkDir
        ? await BuildWorktree.add(mirror, path.join(workDir, 'src'), commit)
        : await new WorktreePool(this.cacheDir).lease(mirror, commit);
      const env = toolchain.env(await commitEpoch(mirror, commit));

      this.enter('patch', logFile, `${patches.length} patch(es)`);
      await new PatchApplier().apply(worktree.dir, patches);

      this.enter('config', logFile, this.req.configBase);
      const objDir = path.join(workDir, 'obj');
      await new KernelConfigurator(worktree.dir, objDir, toolchain, env).configure(this.req.configBase, this.req.fragments, requested);

      this.enter('compile', logFile);
      const make = new KernelMake(worktree.dir, objDir, toolchain, env, this.cacheDir, this.opts.signal);
      const compiled = await make.compile(logFile, (percent) => this.opts.onProgress?.({ phase: 'compile', percent }));

      this.enter('package', logFile);
      const collected = new ArtifactCollector(objDir, this.req.outDir).collect(toolchain, logFile, {
        tree: this.req.tree,
        ref: this.req.ref,
        commit,
        config: { base: this.req.configBase, fragments: requested },
        patches: patches.map((p) => ({ file: path.basename(p.file), sha256: p.sha256, subjects: p.subjects })),
        versions,
        objects: compiled.objects,
        seconds: seconds(),
      });
      const stored = store ? await store.put(key, collected.files, { ...collected.metadata, contentHash: key }) : null;
      const symbols = path.join(this.req.outDir, SYMBOLS_ARTIFACT);
      const sizeDelta = store && patches.length ? await sizeDeltaAgainstBase(store, baseBuildKey(keyInputs), symbols).catch(() => null) : null;
      return {
        status: 'PASS',
        title: `built ${path.basename(collected.image)} for ${this.req.arch} (${commit.slice(0, 12)}${patches.length ? ` + ${patches.length} patch(es)` : ''})`,
        arch: this.req.arch,
        image: collected.image,
        artifacts: collected.files,
        seconds: seconds(),
        droppedOptions: [],
        phase: 'package',
        commit,
        contentHash,
        reused: false,
        files: stored?.files ?? (await describeFiles(collected.files)),
        location: store?.location ?? null,
        sizeDelta,
        metadata: { ...collected.metadata },
      };
    } catch (e) {
      const stop = e instanceof BuildStop ? e : new BuildStop('ERROR', `builder error in ${this.phase}: ${(e as Error).message}`);
      if (stop.detail) fs.appendFileSync(logFile, `\n# ${stop.status}: ${stop.title}\n${stop.detail}\n`);
      // After the detail: the kept log is what the developer reads next (git am's message, the dropped option).
      const artifacts = this.keepLog(logFile);
      return {
        status: stop.status,
        title: stop.title,
        arch: this.req.arch,
        image: null,
        artifacts,
        seconds: seconds(),
        droppedOptions: stop.extra.droppedOptions ?? [],
        phase: this.phase,
        commit,
        analysis: stop.extra.analysis,
        detail: stop.detail,
        contentHash,
        reused: false,
        files: await describeFiles(artifacts),
        location: null,
        sizeDelta: null,
        metadata: {},
      };
    } finally {
      if (!this.opts.keepWorkDir) {
        if (worktree) await worktree.release().catch(() => undefined);
        fs.rmSync(workDir, { recursive: true, force: true });
      }
    }
  }

  private keyInputs(commit: string, patchHashes: string[], fragments: string[], versions: Record<string, string>): BuildKeyInputs {
    const base = this.req.configBase;
    const stored = path.isAbsolute(base);
    return {
      tree: this.req.tree,
      commit,
      arch: this.req.arch,
      configBase: stored ? 'file' : base,
      configBaseSha256: stored ? createHash('sha256').update(fs.readFileSync(base)).digest('hex') : undefined,
      fragments,
      patches: patchHashes,
      // ccache does not change what the compiler emits: its upgrade must not invalidate every stored build.
      toolchain: { kind: this.req.toolchain, versions: Object.fromEntries(Object.entries(versions).filter(([tool]) => tool !== 'ccache')) },
    };
  }

  /** An identical build is in the store: its artifacts instead of a rebuild. */
  private async reuse(store: ArtifactStore, key: string, commit: string, logFile: string, seconds: () => number): Promise<BuildResult> {
    this.enter('package', logFile, `reusing stored build ${key.slice(0, 12)}`);
    const stored = await store.fetch(key, this.req.outDir);
    const imageName = path.basename(new KernelToolchain(this.req.arch, this.req.toolchain, '', '').target.image);
    const artifacts = stored.files.map((f) => path.join(this.req.outDir, f.name));
    return {
      status: 'PASS',
      title: `reused ${imageName} for ${this.req.arch} (${commit.slice(0, 12)}${this.req.patches.length ? ` + ${this.req.patches.length} patch(es)` : ''}), built ${stored.createdAt}`,
      arch: this.req.arch,
      image: path.join(this.req.outDir, imageName),
      artifacts,
      seconds: seconds(),
      droppedOptions: [],
      phase: 'package',
      commit,
      contentHash: key,
      reused: true,
      files: stored.files,
      location: store.location,
      sizeDelta: null,
      metadata: stored.metadata,
    };
  }

  private enter(phase: BuildPhase, logFile: string, message?: string): void {
    if (this.opts.signal?.aborted) throw new BuildStop('ERROR', `build canceled in ${this.phase}: ${String(this.opts.signal.reason ?? 'aborted')}`);
    this.phase = phase;
    fs.appendFileSync(logFile, `# phase ${phase}${message ? `: ${message}` : ''}\n`);
    this.opts.onProgress?.({ phase, percent: phase === 'compile' ? 0 : null, message });
  }

  /** A failed build keeps its log in the artifacts directory: it is what the developer reads next. */
  private keepLog(logFile: string): string[] {
    if (!fs.existsSync(logFile)) return [];
    fs.mkdirSync(this.req.outDir, { recursive: true });
    const to = path.join(this.req.outDir, 'build.log');
    fs.copyFileSync(logFile, to);
    return [to];
  }
}

/** Names, sizes and sha256 of files (without a store to do it), streamed: a debug vmlinux is hundreds of MB. */
async function describeFiles(files: readonly string[]): Promise<BuildArtifact[]> {
  const out: BuildArtifact[] = [];
  for (const f of files.filter((x) => fs.existsSync(x))) {
    const h = createHash('sha256');
    for await (const chunk of fs.createReadStream(f)) h.update(chunk as Buffer);
    out.push({ name: path.basename(f), bytes: fs.statSync(f).size, sha256: h.digest('hex') });
  }
  return out;
}

async function commitEpoch(mirror: string, commit: string): Promise<number | null> {
  const r = await runCommand(['git', '-C', mirror, 'log', '-1', '--format=%ct', commit]);
  const n = Number(r.stdout.trim());
  return r.code === 0 && Number.isInteger(n) ? n : null;
}
