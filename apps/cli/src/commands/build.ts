import * as path from 'node:path';
import type { Command } from 'commander';
import { isBuildArch } from '@pfnlab/builds';
import { ARCHES, CONFIG_BASES, GIT_REF_RE, TREE_URL_RE } from '@pfnlab/contracts';
import { CliError, ExitCode } from '../cli-error';
import type { BuildProgress, BuildResult } from '../../../agent/src/build/build-types';
import { createArtifactStore } from '../../../agent/src/build/artifact-store/create-artifact-store';
import { KernelBuild } from '../../../agent/src/build/kernel-build';

/*
 * `pfnlab build`: the developer's local mode. Builds a kernel from a tree,
 * a ref, patches and a config on this machine, without server or database,
 * with the same builder the agents use (apps/agent/src/build).
 */

interface BuildOptions {
  tree: string;
  ref: string;
  arch: string;
  config: string;
  fragment: string[];
  patch: string[];
  out?: string;
  llvm?: boolean;
  json?: boolean;
  keepWork?: boolean;
  store?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];
const isUrl = (t: string) => /^(?:https?|git|ssh):\/\/|^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/.test(t);

export function registerBuild(program: Command): void {
  program.command('build')
    .description('build a kernel locally: tree + ref + patches + config base and fragments, for one arch')
    .requiredOption('--tree <path|url>', 'kernel git tree: a local path or a git URL')
    .requiredOption('--ref <ref>', 'branch, tag or commit to build')
    .requiredOption('--arch <arch>', `${ARCHES.join('|')}`)
    .requiredOption('--config <base>', `${CONFIG_BASES.join('|')} or a config file`)
    .option('--fragment <file>', 'Kconfig fragment merged with merge_config.sh (repeatable, in order)', collect, [])
    .option('--patch <file>', 'patch file or mbox applied with git am (repeatable, in order)', collect, [])
    .option('--out <dir>', 'artifacts directory (default ./pfnlab-build-ARCH)')
    .option('--llvm', 'build with LLVM=1 (clang, ld.lld) instead of gcc')
    .option('--json', 'end with one JSON line: {status, title, arch, image, artifacts, seconds, droppedOptions, contentHash, reused, location, sizeDelta}')
    .option('--keep-work', 'keep the worktree and object directory under the cache (debugging)')
    .option('--store <url>', 'artifact store (file:///dir or s3://bucket/prefix?endpoint=...): reuse an identical build, keep this one, and show the size delta of patches against their stored base build (default $PFNLAB_ARTIFACT_STORE; none without it)')
    .action(async (o: BuildOptions) => {
      if (!isBuildArch(o.arch)) throw new CliError(`unknown arch "${o.arch}"`, ExitCode.usage, `use one of ${ARCHES.join(', ')}`);
      if (!GIT_REF_RE.test(o.ref)) throw new CliError(`"${o.ref}" is not a safe git ref`, ExitCode.usage, 'letters, digits, "._/+-", no ".."');
      const tree = isUrl(o.tree) ? o.tree : path.resolve(o.tree);
      if (!TREE_URL_RE.test(tree)) throw new CliError(`"${o.tree}" is not a git URL or a usable local path`, ExitCode.usage, 'local paths may use letters, digits and "._/+@=-"');
      const configBase = (CONFIG_BASES as readonly string[]).includes(o.config) ? o.config : path.resolve(o.config);
      const storeUrl = o.store ?? process.env.PFNLAB_ARTIFACT_STORE;
      let store;
      try {
        store = storeUrl ? createArtifactStore(storeUrl) : undefined;
      } catch (e) {
        throw new CliError((e as Error).message, ExitCode.usage, 'use file:///absolute/dir or s3://bucket/prefix?endpoint=http://host:port');
      }
      const progress = progressPrinter(Boolean(o.json));
      const result = await new KernelBuild({
        tree,
        ref: o.ref,
        arch: o.arch,
        configBase,
        fragments: o.fragment.map((f) => path.resolve(f)),
        patches: o.patch.map((f) => path.resolve(f)),
        toolchain: o.llvm ? 'llvm' : 'gcc',
        outDir: path.resolve(o.out ?? `pfnlab-build-${o.arch}`),
      }, { onProgress: progress.update, keepWorkDir: o.keepWork, store }).run();
      progress.done();
      if (o.json) {
        const { status, title, arch, image, artifacts, seconds, droppedOptions, contentHash, reused, location, sizeDelta } = result;
        process.stdout.write(JSON.stringify({ status, title, arch, image, artifacts, seconds, droppedOptions, contentHash, reused, location, sizeDelta }) + '\n');
      } else printResult(result);
      process.exitCode = result.status === 'PASS' ? ExitCode.ok : ExitCode.failure;
    });
}

/** Phase and compile percentage on stderr: rewritten in place on a terminal, a line per step otherwise. */
function progressPrinter(quiet: boolean): { update: (p: BuildProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY && !quiet;
  let lastLine = '';
  let lastTenth = -1;
  return {
    update: (p) => {
      const line = p.percent === null ? `build: ${p.phase}${p.message ? ` (${p.message})` : ''}` : `build: ${p.phase} ${p.percent}%`;
      if (tty) {
        process.stderr.write(`\r\x1b[K${line}`);
      } else if (p.percent === null || Math.floor(p.percent / 10) !== lastTenth) {
        // Without a terminal, every 10% is enough for a log.
        if (p.percent !== null) lastTenth = Math.floor(p.percent / 10);
        process.stderr.write(line + '\n');
      }
      lastLine = line;
    },
    done: () => {
      if (tty && lastLine) process.stderr.write('\n');
    },
  };
}

function printResult(r: BuildResult): void {
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`${r.status} ${r.arch} in ${r.seconds}s: ${r.title}`);
  if (r.status !== 'PASS') out(`  stopped in phase ${r.phase}${r.commit ? ` at ${r.commit.slice(0, 12)}` : ''}`);
  for (const d of r.droppedOptions) out(`  ${d.explanation}`);
  if (r.detail && r.droppedOptions.length === 0) for (const l of r.detail.split('\n').slice(0, 30)) out(`  | ${l}`);
  if (r.image) out(`  image: ${r.image}`);
  for (const a of r.artifacts) if (a !== r.image) out(`  ${a}`);
  if (r.location && r.contentHash) out(`  ${r.reused ? 'reused from' : 'stored in'} ${r.location} as ${r.contentHash.slice(0, 16)}`);
  if (r.sizeDelta) {
    out(`  size against the base build (no patches), bloat-o-meter:`);
    for (const l of r.sizeDelta.text.trimEnd().split('\n').slice(0, 40)) out(`  | ${l}`);
  }
}
