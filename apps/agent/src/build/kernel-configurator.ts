import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkKconfig, explainDropped, kconfigDepends } from '@pfnlab/builds';
import { CONFIG_BASES, KCONFIG_LINE_RE, SAFE_PATH_RE } from '@pfnlab/contracts';
import { BuildStop, type DroppedOption } from './build-types';
import { lastLines, runCommand } from './command-runner';
import type { KernelToolchain } from './kernel-toolchain';

/**
 * Makes the .config: a base (a make target or a stored config file), the
 * fragments merged with the tree's own merge_config.sh, `make olddefconfig`,
 * then the check that every requested option survived. A dropped option is
 * an ERROR naming it and, from its Kconfig entry, the unmet dependency.
 */
export class KernelConfigurator {
  constructor(
    private readonly worktree: string,
    private readonly objDir: string,
    private readonly toolchain: KernelToolchain,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Reads and checks the fragment files before any work is done; returns their option lines in order. */
  static readFragments(files: readonly string[]): string[] {
    const lines: string[] = [];
    for (const file of files) {
      if (!path.isAbsolute(file) || !SAFE_PATH_RE.test(file)) throw new BuildStop('ERROR', `fragment path "${file}" is not a safe absolute path`);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new BuildStop('ERROR', `cannot read fragment ${file}: ${(e as Error).message}`);
      }
      for (const [i, raw] of text.split('\n').entries()) {
        const line = raw.trim();
        if (line === '' || (line.startsWith('#') && !/^# CONFIG_/.test(line))) continue;
        if (!KCONFIG_LINE_RE.test(line)) throw new BuildStop('ERROR', `${path.basename(file)}:${i + 1}: "${line.slice(0, 80)}" is not a Kconfig line`, 'use CONFIG_X=y|m|n|number|"string" or "# CONFIG_X is not set"');
        lines.push(line);
      }
    }
    return lines;
  }

  static isMakeTarget(base: string): boolean {
    return (CONFIG_BASES as readonly string[]).includes(base);
  }

  /** Writes objDir/.config; throws BuildStop on failure or dropped options. */
  async configure(base: string, fragments: readonly string[], requested: readonly string[]): Promise<void> {
    fs.mkdirSync(this.objDir, { recursive: true });
    if (KernelConfigurator.isMakeTarget(base)) {
      // tinyconfig and allnoconfig on ppc64le need the arch's own fragment after them (a big-endian 32-bit kernel otherwise).
      for (const target of this.toolchain.configTargets(base)) await this.make(target);
    } else {
      if (!path.isAbsolute(base) || !SAFE_PATH_RE.test(base) || !fs.existsSync(base)) {
        throw new BuildStop('ERROR', `config base "${base}" is neither ${CONFIG_BASES.join('|')} nor a readable config file`);
      }
      fs.copyFileSync(base, path.join(this.objDir, '.config'));
    }
    if (fragments.length > 0) {
      const script = path.join(this.worktree, 'scripts', 'kconfig', 'merge_config.sh');
      const dotConfig = path.join(this.objDir, '.config');
      const r = await runCommand(['sh', script, '-m', '-O', this.objDir, dotConfig, ...fragments], { cwd: this.worktree, env: this.env });
      if (r.code !== 0) throw new BuildStop('ERROR', 'merge_config.sh failed', lastLines(r.output, 20));
    }
    await this.make('olddefconfig');
    const dropped = await this.droppedOptions(requested);
    if (dropped.length > 0) {
      const names = dropped.map((d) => `${d.option}=${d.requested}`).join(', ');
      const title = dropped.length === 1 ? dropped[0].explanation : `${dropped.length} requested options were dropped by olddefconfig: ${names}`;
      throw new BuildStop('ERROR', title, dropped.map((d) => d.explanation).join('\n'), { droppedOptions: dropped });
    }
  }

  /** Requested options the final .config does not have as asked, each with why. */
  async droppedOptions(requested: readonly string[]): Promise<DroppedOption[]> {
    const dotConfig = fs.readFileSync(path.join(this.objDir, '.config'), 'utf8');
    const out: DroppedOption[] = [];
    for (const m of checkKconfig(requested, dotConfig)) {
      const name = m.option.replace(/^CONFIG_/, '');
      const kconfig = await this.kconfigTextDefining(name);
      const deps = kconfig ? kconfigDepends(kconfig, name) : null;
      const line = m.requested === 'not set' ? `# ${m.option} is not set` : `${m.option}=${m.requested}`;
      const explanation = deps
        ? explainDropped(line, deps.expr, dotConfig)
        : `${line} was dropped: no Kconfig file of the tree defines ${name} (misspelt, or removed in this version?)`;
      out.push({ ...m, explanation });
    }
    return out;
  }

  /** The Kconfig files that define `config NAME`, concatenated (each file's if/menu blocks balance on their own). */
  private async kconfigTextDefining(name: string): Promise<string | null> {
    const r = await runCommand(['git', '-C', this.worktree, 'grep', '-l', '-E', `^[[:space:]]*(menu)?config[[:space:]]+${name}[[:space:]]*$`, '--', '*Kconfig*']);
    const files = r.code === 0 ? r.stdout.split('\n').filter((f) => f !== '') : [];
    if (files.length === 0) return null;
    return files.map((f) => fs.readFileSync(path.join(this.worktree, f), 'utf8')).join('\n');
  }

  private async make(target: string): Promise<void> {
    const r = await runCommand(['make', ...this.toolchain.makeVars(this.objDir), target], { cwd: this.worktree, env: this.env });
    if (r.code !== 0) throw new BuildStop('ERROR', `make ${target} failed`, lastLines(r.output, 20));
  }
}
