import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildArch } from '@pfnlab/builds';
import { MODULES_ROOT, MODULES_TARBALL, PACKAGE_DIR, SYMBOL_TABLE } from './kernel-make';
import type { KernelToolchain } from './kernel-toolchain';

export interface BuildMetadata {
  tree: string;
  ref: string;
  commit: string;
  arch: BuildArch;
  config: { base: string; fragments: string[] };
  patches: { file: string; sha256: string; subjects: string[] }[];
  toolchain: { kind: 'gcc' | 'llvm'; versions: Record<string, string> };
  objects: number;
  seconds: number;
  images: Record<string, number>;
  /** What modules.tar.xz holds: the kernel release (its lib/modules/ directory) and the number of modules; null without CONFIG_MODULES. */
  modules: { release: string; count: number } | null;
  finishedAt: string;
}

export interface CollectedArtifacts {
  /** The boot image in the artifacts directory. */
  image: string;
  /** Every file written, image first. */
  files: string[];
  metadata: BuildMetadata;
}

/** Module files as modules_install leaves them, compressed (CONFIG_MODULE_COMPRESS_*) or not. */
const MODULE_FILE = /\.ko(?:\.(?:gz|xz|zst))?$/;

/**
 * Copies what a build produced into the artifacts directory: the arch's boot
 * image(s), vmlinux, System.map, .config, vmlinux.symbols (nm's table, for
 * size deltas without vmlinux), modules.tar.xz when the config has modules,
 * build.log, and metadata.json (inputs with hashes, toolchain versions,
 * duration, image sizes, module count). Only copies: KernelMake made the
 * symbol table and the tarball, so this stays quick and synchronous.
 */
export class ArtifactCollector {
  constructor(private readonly objDir: string, private readonly outDir: string) {}

  collect(
    toolchain: KernelToolchain,
    logFile: string,
    meta: Omit<BuildMetadata, 'images' | 'finishedAt' | 'arch' | 'toolchain' | 'modules'> & { versions: Record<string, string> },
  ): CollectedArtifacts {
    fs.mkdirSync(this.outDir, { recursive: true });
    const t = toolchain.target;
    const files: string[] = [];
    const images: Record<string, number> = {};
    const copy = (rel: string, required: boolean): string | null => {
      const from = path.join(this.objDir, rel);
      if (!fs.existsSync(from)) {
        if (required) throw new Error(`make succeeded but ${rel} is missing`);
        return null;
      }
      const to = path.join(this.outDir, path.basename(rel));
      fs.copyFileSync(from, to);
      files.push(to);
      return to;
    };
    const image = copy(t.image, true)!;
    images[path.basename(t.image)] = fs.statSync(image).size;
    for (const extra of t.extraImages) {
      const p = copy(extra, false);
      if (p) images[path.basename(extra)] = fs.statSync(p).size;
    }
    if (t.image !== 'vmlinux') copy('vmlinux', true);
    images.vmlinux = fs.statSync(path.join(this.outDir, 'vmlinux')).size;
    copy('System.map', true);
    copy('.config', true);
    copy(path.join(PACKAGE_DIR, SYMBOL_TABLE), true);
    const modules = copy(path.join(PACKAGE_DIR, MODULES_TARBALL), false) ? this.countModules() : null;
    const log = path.join(this.outDir, 'build.log');
    if (path.resolve(logFile) !== path.resolve(log)) fs.copyFileSync(logFile, log);
    files.push(log);
    const { versions, ...rest } = meta;
    const metadata: BuildMetadata = { ...rest, arch: toolchain.arch, toolchain: { kind: toolchain.kind, versions }, images, modules, finishedAt: new Date().toISOString() };
    const metaFile = path.join(this.outDir, 'metadata.json');
    fs.writeFileSync(metaFile, JSON.stringify(metadata, null, 2) + '\n');
    files.push(metaFile);
    return { image, files, metadata };
  }

  /** The release directory modules_install made and the module files under it (what the tarball holds). */
  private countModules(): { release: string; count: number } {
    const lib = path.join(this.objDir, PACKAGE_DIR, MODULES_ROOT, 'lib', 'modules');
    const releases = fs.readdirSync(lib);
    if (releases.length !== 1) throw new Error(`modules_install made ${releases.length} release directories in lib/modules: ${releases.join(', ')}`);
    let count = 0;
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else if (e.isFile() && MODULE_FILE.test(e.name)) count++;
      }
    };
    walk(path.join(lib, releases[0]));
    return { release: releases[0], count };
  }
}
