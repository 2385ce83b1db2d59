import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeBuildLog, checkKconfig, compilePercent, estimateCompiledObjects, isCompileLine } from '@pfnlab/builds';
import { SYMBOLS_ARTIFACT } from './base-size-delta';
import { BuildStop } from './build-types';
import { lastLines, runCommand } from './command-runner';
import { KernelToolchain } from './kernel-toolchain';

export interface CompileOutcome {
  /** Objects compiled (`  CC ` lines). */
  objects: number;
  seconds: number;
  /** Whether the .config has CONFIG_MODULES=y, so modules were built and installed into PACKAGE_DIR. */
  modules: boolean;
}

/**
 * What the compile leaves for the collector besides kbuild's own files, in
 * this directory of the object directory (a name no kbuild directory has):
 * the stripped modules_install tree and its tarball, and vmlinux's symbol
 * table. Made here, where the work is asynchronous, so that collecting stays
 * a quick copy.
 */
export const PACKAGE_DIR = '.pfnlab-package';
export const MODULES_ROOT = 'modules-root';
export const MODULES_TARBALL = 'modules.tar.xz';
/** The symbol table's name, as the size delta against a base build looks for it. */
export const SYMBOL_TABLE = SYMBOLS_ARTIFACT;

/**
 * The compile: `make O=... -jN <image target> [modules]` out of tree, its
 * whole output in build.log, progress as the share of `  CC ` lines against
 * an estimate. The estimate is the object count of the last build of the
 * same .config (kept in a small file in the cache), else a guess from the
 * .config. A failed make is a build FAIL titled with the first error of the
 * log. Then, still in this phase: modules_install (stripped) and its
 * tarball when the config has modules, and `nm --size-sort -S vmlinux` for
 * size deltas.
 */
export class KernelMake {
  constructor(
    private readonly worktree: string,
    private readonly objDir: string,
    private readonly toolchain: KernelToolchain,
    private readonly env: NodeJS.ProcessEnv,
    private readonly cacheDir: string,
    /** A canceled run stops make and its compilers at once, not at the next phase. */
    private readonly signal?: AbortSignal,
  ) {}

  async compile(logFile: string, onPercent: (percent: number) => void): Promise<CompileOutcome> {
    const started = Date.now();
    const dotConfig = fs.readFileSync(path.join(this.objDir, '.config'), 'utf8');
    this.checkArch(dotConfig);
    const modules = /^CONFIG_MODULES=y$/m.test(dotConfig);
    const key = createHash('sha256').update(`${this.toolchain.arch}\0${this.toolchain.kind}\0${dotConfig}`).digest('hex');
    const estimate = this.knownCount(key) ?? estimateCompiledObjects(dotConfig);
    const log = fs.createWriteStream(logFile, { flags: 'a' });
    let objects = 0;
    let shown = -1;
    const treeRelative = sourcePrefixStripper(this.worktree, this.objDir);
    // `modules` in the same make as the image: one parallel run over both, as `make all` would do.
    const targets = [...this.toolchain.target.makeTargets, ...(modules ? ['modules'] : [])];
    const argv = ['make', ...this.toolchain.makeVars(this.objDir), `-j${KernelToolchain.jobs()}`, ...targets];
    log.write(`# ${argv.join(' ')}\n`);
    const r = await runCommand(argv, {
      cwd: this.worktree,
      env: this.env,
      keep: 64 * 1024,
      signal: this.signal,
      onLine: (raw) => {
        const line = treeRelative(raw);
        log.write(line + '\n');
        if (!isCompileLine(line)) return;
        objects++;
        const p = compilePercent(objects, estimate);
        if (p !== shown) onPercent((shown = p));
      },
    });
    await new Promise<void>((resolve) => log.end(resolve));
    this.throwIfCanceled();
    if (r.code !== 0) {
      const analysis = analyzeBuildLog(fs.readFileSync(logFile));
      const title = analysis.title ?? `make exited with status ${r.code}`;
      throw new BuildStop('FAIL', title, analysis.errors[0]?.text, { analysis });
    }
    this.rememberCount(key, objects);
    onPercent(100);
    const pkg = path.join(this.objDir, PACKAGE_DIR);
    fs.rmSync(pkg, { recursive: true, force: true });
    fs.mkdirSync(pkg, { recursive: true });
    if (modules) await this.installModules(pkg, logFile);
    await this.writeSymbolTable(path.join(pkg, SYMBOL_TABLE), logFile);
    return { objects, seconds: (Date.now() - started) / 1000, modules };
  }

  /**
   * Refuses a .config that would build another arch's kernel: ARCH=powerpc
   * builds 32-bit big-endian from powerpc's tinyconfig unless the config
   * says PPC64 and CPU_LITTLE_ENDIAN, and a stored config may be any arch's.
   */
  private checkArch(dotConfig: string): void {
    const t = this.toolchain.target;
    const wrong = checkKconfig(t.archConfig, dotConfig);
    if (wrong.length === 0) return;
    const what = wrong.map((m) => `${m.option} is ${m.actual}`).join(', ');
    const fix = t.archFragment
      ? `apply the kernel's arch/${t.kernelArch}/configs/${t.archFragment} after the base (make ${t.archFragment}), or add ${t.archConfig.join(' and ')} to a fragment`
      : `the config must have ${t.archConfig.join(' and ')}`;
    throw new BuildStop('ERROR', `the .config is not a ${t.arch} one: ${what}`, fix);
  }

  /**
   * `make modules_install` into PACKAGE_DIR/modules-root, stripped
   * (INSTALL_MOD_STRIP=1: the tarball is for booting, vmlinux keeps the
   * debug info), then `lib/modules/<release>/...` packed with tar. The build
   * and source links point into this build's worktree, which is deleted
   * after the build: they are left out.
   */
  private async installModules(pkg: string, logFile: string): Promise<void> {
    const root = path.join(pkg, MODULES_ROOT);
    await this.logged(logFile, ['make', ...this.toolchain.makeVars(this.objDir), `INSTALL_MOD_PATH=${root}`, 'INSTALL_MOD_STRIP=1', 'modules_install'], 'make modules_install failed');
    const lib = path.join(root, 'lib', 'modules');
    for (const release of fs.existsSync(lib) ? fs.readdirSync(lib) : []) {
      for (const link of ['build', 'source']) fs.rmSync(path.join(lib, release, link), { force: true });
    }
    const tar = ['tar', '--create', '--xz', `--file=${path.join(pkg, MODULES_TARBALL)}`, '--sort=name', '--owner=0', '--group=0', '--numeric-owner'];
    // The commit's time, as KBUILD_BUILD_TIMESTAMP: the same inputs give the same tarball.
    const stamp = /^@(\d+)$/.exec(this.env.KBUILD_BUILD_TIMESTAMP ?? '')?.[1];
    if (stamp) tar.push(`--mtime=@${stamp}`);
    await this.logged(logFile, [...tar, '-C', root, 'lib/modules'], 'packing modules.tar.xz failed');
  }

  /** `nm --size-sort -S vmlinux`, the input of a later size delta, so that one does not need vmlinux. */
  private async writeSymbolTable(file: string, logFile: string): Promise<void> {
    const argv = [this.toolchain.nm, '--size-sort', '-S', path.join(this.objDir, 'vmlinux')];
    fs.appendFileSync(logFile, `# ${argv.join(' ')} > ${SYMBOL_TABLE}\n`);
    this.throwIfCanceled();
    const r = await runToFile(argv, file, this.env);
    if (r.code !== 0) throw new BuildStop('ERROR', `${this.toolchain.nm} could not read vmlinux`, lastLines(r.stderr, 10));
  }

  private throwIfCanceled(): void {
    if (this.signal?.aborted) throw new BuildStop('ERROR', `build canceled while compiling: ${String(this.signal.reason ?? 'aborted')}`);
  }

  /** Runs a step whose output belongs in build.log; a failure is an ERROR with its last lines. */
  private async logged(logFile: string, argv: string[], failure: string): Promise<void> {
    fs.appendFileSync(logFile, `# ${argv.join(' ')}\n`);
    const r = await runCommand(argv, { cwd: this.worktree, env: this.env, keep: 64 * 1024, signal: this.signal });
    fs.appendFileSync(logFile, r.output.endsWith('\n') || r.output === '' ? r.output : `${r.output}\n`);
    this.throwIfCanceled();
    if (r.code !== 0) throw new BuildStop('ERROR', failure, lastLines(r.output, 20));
  }

  private estimatesFile(): string {
    return path.join(this.cacheDir, 'compile-estimates.json');
  }

  private readEstimates(): Record<string, number> {
    try {
      return JSON.parse(fs.readFileSync(this.estimatesFile(), 'utf8')) as Record<string, number>;
    } catch {
      return {};
    }
  }

  private knownCount(key: string): number | null {
    const n = this.readEstimates()[key];
    return typeof n === 'number' && n > 0 ? n : null;
  }

  /** Keeps the last 200 configs' counts; a rename makes the write atomic for concurrent builds. */
  private rememberCount(key: string, objects: number): void {
    if (objects <= 0) return;
    const all = this.readEstimates();
    delete all[key];
    all[key] = objects;
    const keys = Object.keys(all);
    for (const k of keys.slice(0, Math.max(0, keys.length - 200))) delete all[k];
    fs.mkdirSync(this.cacheDir, { recursive: true });
    const tmp = `${this.estimatesFile()}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(all));
    fs.renameSync(tmp, this.estimatesFile());
  }
}

/**
 * Out of tree, gcc names sources by kbuild's srctree (`../src/init/main.c`,
 * or absolute): dropping that prefix gives the paths of an in-tree build, so
 * titles read `init/main.c:714: error: ...` whatever directory built them.
 */
export function sourcePrefixStripper(worktree: string, objDir: string): (line: string) => string {
  const prefixes = [`${path.resolve(worktree)}/`, `${path.relative(objDir, worktree)}/`];
  return (line) => {
    let out = line;
    for (const p of prefixes) if (out.includes(p)) out = out.split(p).join('');
    return out;
  };
}

/**
 * Runs a program with its stdout written straight to a file: a symbol
 * table is megabytes, more than runCommand keeps. stderr is kept (tail).
 */
function runToFile(argv: readonly string[], file: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const out = fs.openSync(file, 'w');
    const child = spawn(argv[0], argv.slice(1), { env: { ...env, LC_ALL: 'C' }, stdio: ['ignore', out, 'pipe'], shell: false });
    let stderr = '';
    let settled = false;
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-16 * 1024)));
    // 'close' follows 'error' when the program could not be started: settle once.
    const done = (code: number) => {
      if (settled) return;
      settled = true;
      fs.closeSync(out);
      resolve({ code, stderr });
    };
    child.on('error', (e) => {
      stderr += `${argv[0]}: ${e.message}`;
      done(127);
    });
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}
