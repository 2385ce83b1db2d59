import * as os from 'node:os';
import * as path from 'node:path';
import { hostBuildArch, kernelArchTarget, type BuildArch, type KernelArchTarget } from '@pfnlab/builds';
import { BuildStop } from './build-types';
import { runCommand } from './command-runner';

/**
 * The make variables and environment of one arch + toolchain: ARCH=,
 * CROSS_COMPILE= (Debian's cross gcc), CC through ccache or LLVM=1, and
 * reproducible KBUILD_BUILD_* stamps. Shared by configuration and compile so
 * both see the same compiler (Kconfig probes it).
 */
export class KernelToolchain {
  readonly target: KernelArchTarget;

  constructor(
    readonly arch: BuildArch,
    readonly kind: 'gcc' | 'llvm',
    private readonly ccacheDir: string,
    /** The directory holding worktree and object dir: ccache rewrites paths below it so other builds hit. */
    private readonly buildRoot: string,
  ) {
    this.target = kernelArchTarget(arch, hostBuildArch(process.arch));
  }

  /** The compiler as make runs it, without ccache. */
  get compiler(): string {
    return this.kind === 'llvm' ? 'clang' : `${this.target.crossCompile}gcc`;
  }

  /** The linker make uses (LLVM=1 means ld.lld; otherwise binutils' ld of the target). */
  get linker(): string {
    return this.kind === 'llvm' ? 'ld.lld' : `${this.target.crossCompile}ld`;
  }

  /** The nm that reads this target's vmlinux (the host's nm cannot read another arch's ELF on every host). */
  get nm(): string {
    return this.kind === 'llvm' ? 'llvm-nm' : `${this.target.crossCompile}nm`;
  }

  /**
   * The make targets, in order, that make a config `base` (defconfig,
   * tinyconfig...) for this arch: the arch's defconfig target, or the generic
   * base followed by the arch's own fragment (`make tinyconfig
   * ppc64le.config`, the kernel's way of making powerpc's 32-bit big-endian
   * bases ppc64le). Meant for the configurator, to run one by one before
   * merging the job's fragments, so that options depending on the arch
   * (SPARSEMEM_VMEMMAP needs PPC64) are not dropped. While it still runs the
   * bare base, a ppc64le build from a generic base needs PPC64=y and
   * CPU_LITTLE_ENDIAN=y in a fragment, and KernelMake refuses the
   * big-endian config rather than build it.
   */
  configTargets(base: string): string[] {
    if (base === 'defconfig') return [this.target.defconfigTarget];
    return this.target.archFragment ? [base, this.target.archFragment] : [base];
  }

  /** Variables for every make call (argv entries, never shell text). */
  makeVars(objDir: string): string[] {
    const vars = [`O=${objDir}`, `ARCH=${this.target.kernelArch}`];
    // Host programs too (fixdep, conf, modpost, objtool...): a fresh object
    // directory rebuilds them every time, a large share of a ccache rebuild.
    if (this.kind === 'llvm') vars.push('LLVM=1', 'CC=ccache clang', 'HOSTCC=ccache clang');
    else {
      if (this.target.crossCompile) vars.push(`CROSS_COMPILE=${this.target.crossCompile}`);
      vars.push(`CC=ccache ${this.compiler}`, 'HOSTCC=ccache gcc');
    }
    return vars;
  }

  env(commitEpoch: number | null): NodeJS.ProcessEnv {
    return {
      ...process.env,
      CCACHE_DIR: this.ccacheDir,
      CCACHE_BASEDIR: path.resolve(this.buildRoot),
      // Each build has its own worktree directory; without this, -g output would make every one a miss.
      CCACHE_NOHASHDIR: 'true',
      // kbuild always writes a dependency file (-Wp,-MMD): ccache can take the
      // includes from it instead of running the preprocessor once more on
      // every miss (a cold build: +22 % CPU over no ccache without this, +9 % with it; bench/README.md).
      CCACHE_DEPEND: 'true',
      KBUILD_BUILD_USER: 'pfnlab',
      KBUILD_BUILD_HOST: 'pfnlab',
      ...(commitEpoch !== null ? { KBUILD_BUILD_TIMESTAMP: `@${commitEpoch}` } : {}),
    };
  }

  /** make -j: one job per CPU the host gives this process. */
  static jobs(): number {
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }

  /** Fails early, with the package to install, when the compiler is not there. */
  async check(): Promise<void> {
    for (const tool of [this.compiler, this.linker, this.nm, 'ccache']) {
      const r = await runCommand([tool, '--version']);
      if (r.code !== 0) throw new BuildStop('ERROR', `${tool} is not installed`, `install it: apt-get install ${packageOf(tool)}`);
    }
  }

  /** First lines of `--version` of the compiler and linker, for the build's metadata. */
  async versions(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const t of [this.compiler, this.linker, 'make', 'ccache']) {
      const r = await runCommand([t, '--version']);
      out[t] = r.code === 0 ? r.stdout.split('\n')[0].trim() : 'not installed';
    }
    return out;
  }
}

function packageOf(tool: string): string {
  if (tool === 'ccache' || tool === 'clang') return tool;
  if (tool === 'ld.lld') return 'lld';
  if (tool.startsWith('llvm-')) return 'llvm';
  const m = /^([a-z0-9_]+)-linux-gnu-(gcc|ld|nm)$/.exec(tool);
  if (!m) return 'build-essential';
  return `${m[2] === 'gcc' ? 'gcc' : 'binutils'}-${m[1].replace(/_/g, '-')}-linux-gnu`;
}
