import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { AptFetcher, DebPackage } from './apt-fetcher';
import { ArchProfile } from './arch-profiles';
import { run, VlabError } from './exec';
import { scriptPath, VlabPaths } from './paths';

/*
 * Builds the known-good image of one architecture from Debian's archive:
 * the kernel of linux-image-<flavour> (version resolved at run time), and an
 * initramfs with busybox-static, dropbear (+ its libraries of the same
 * architecture), a few modules and deploy/vlab/initramfs-init.sh as /init.
 * Cached under images/<debArch>/; rebuilt only when the input hash changes.
 */

const BUILDER_VERSION = 5;

export interface ImageManifest {
  debArch: string;
  hash: string;
  kernelPackage: string;
  kernelVersion: string;
  packages: string[];
  kernel: string;
  initrd: string;
  builtAt: string;
}

export interface ImageBuildOptions {
  paths: VlabPaths;
  authorizedKey: string;
  log?: (msg: string) => void;
  refresh?: boolean;
}

export function readManifest(paths: VlabPaths, debArch: string): ImageManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(paths.image(debArch), 'manifest.json'), 'utf8')) as ImageManifest;
  } catch {
    return undefined;
  }
}

/** Prepares the images of all given architectures; returns their manifests. */
export async function prepareImages(profiles: ArchProfile[], o: ImageBuildOptions): Promise<Map<string, ImageManifest>> {
  const log = o.log ?? (() => undefined);
  const apt = new AptFetcher({ dir: o.paths.apt, arches: profiles.map((p) => p.debArch), log, refresh: o.refresh || process.env.PFNLAB_VLAB_REFRESH === '1' });
  const out = new Map<string, ImageManifest>();
  const initTemplate = fs.readFileSync(scriptPath('initramfs-init.sh'), 'utf8');
  // Offline fast path: images whose local inputs are unchanged are kept without asking apt.
  const pending: ArchProfile[] = [];
  for (const p of profiles) {
    const m = readManifest(o.paths, p.debArch);
    const local = localInputs(initTemplate, o.authorizedKey, p);
    if (m && m.hash === inputHash(local, m.packages) && fs.existsSync(m.kernel) && fs.existsSync(m.initrd) && !o.refresh && process.env.PFNLAB_VLAB_REFRESH !== '1') {
      out.set(p.debArch, m);
    } else pending.push(p);
  }
  if (pending.length === 0) return out;
  await apt.update();
  for (const p of pending) {
    const meta = await apt.show(`linux-image-${p.kernelFlavour}`, p.debArch);
    const kpkgName = meta.depends.find((d) => d.startsWith('linux-image-'));
    if (!kpkgName) throw new VlabError(`linux-image-${p.kernelFlavour}:${p.debArch} names no kernel package`);
    const kpkg = await apt.show(kpkgName, p.debArch);
    const userland = await apt.closure(userlandRoots(p), p.debArch);
    const pkgs = [kpkg, ...userland];
    const ids = pkgs.map((q) => `${q.name}:${q.arch}=${q.version}`).sort();
    const hash = inputHash(localInputs(initTemplate, o.authorizedKey, p), ids);
    const old = readManifest(o.paths, p.debArch);
    if (old && old.hash === hash && fs.existsSync(old.kernel) && fs.existsSync(old.initrd)) {
      out.set(p.debArch, old);
      continue;
    }
    log(`image ${p.debArch}: building (${kpkg.name} ${kpkg.version})`);
    out.set(p.debArch, await buildImage(p, pkgs, apt, hash, ids, initTemplate, o));
  }
  return out;
}

/** The packages the known-good OS is made of (before their dependencies). */
function userlandRoots(p: ArchProfile): string[] {
  return ['busybox-static', 'dropbear-bin', 'openssh-sftp-server', 'kexec-tools', ...p.bootTools.packages];
}

function localInputs(initTemplate: string, key: string, p: ArchProfile) {
  return JSON.stringify({ v: BUILDER_VERSION, initTemplate, key: key.trim(), modules: p.modules, roots: userlandRoots(p), tools: p.bootTools });
}

function inputHash(local: string, ids: string[]): string {
  return createHash('sha256').update(local).update(JSON.stringify(ids)).digest('hex');
}

async function buildImage(p: ArchProfile, pkgs: DebPackage[], apt: AptFetcher, hash: string, ids: string[],
  initTemplate: string, o: ImageBuildOptions): Promise<ImageManifest> {
  const imgDir = o.paths.image(p.debArch);
  const debDir = path.join(o.paths.debs, p.debArch);
  const work = path.join(imgDir, 'build');
  fs.rmSync(work, { recursive: true, force: true });
  const x = path.join(work, 'x');
  const root = path.join(work, 'rootfs');
  fs.mkdirSync(x, { recursive: true });
  const files = await apt.downloadAll(pkgs, debDir);
  // Keep only the debs of this set (older kernels would pile up).
  for (const f of fs.readdirSync(debDir)) if (!pkgs.some((q) => q.file === f)) fs.rmSync(path.join(debDir, f), { force: true });
  for (const f of files) await run(['dpkg-deb', '-x', f, x], { timeoutMs: 300_000 });

  const boot = path.join(x, 'boot');
  const kfile = fs.readdirSync(boot).find((f) => /^vmlinu[xz]-/.test(f));
  if (!kfile) throw new VlabError(`no kernel image in ${pkgs[0].name}:${p.debArch}`);
  const kver = kfile.replace(/^vmlinu[xz]-/, '');
  const config = path.join(boot, `config-${kver}`);

  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'tmp', 'mod', 'etc', 'root/.ssh', 'run', 'var']) {
    fs.mkdirSync(path.join(root, d), { recursive: true });
  }
  fs.copyFileSync(path.join(x, 'bin', 'busybox'), path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  // The SSH server, and the tools the boot methods run from the known-good OS (kexec, grub-reboot, zipl).
  for (const f of ['usr/sbin/dropbear', 'usr/lib/openssh/sftp-server', 'usr/lib/sftp-server', 'sbin/kexec', ...p.bootTools.files]) {
    const src = path.join(x, f);
    if (!fs.existsSync(src)) throw new VlabError(`${f} is not in the packages of the ${p.debArch} image (${[...userlandNames(pkgs)].join(' ')})`);
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.cpSync(src, path.join(root, f), { verbatimSymlinks: true });
  }
  // Shared libraries and the dynamic loader, wherever this architecture keeps them.
  for (const libdir of ['lib', 'lib64', 'usr/lib']) {
    const src = path.join(x, libdir);
    if (!fs.existsSync(src)) continue;
    for (const e of fs.readdirSync(src)) {
      if (['modules', 'firmware', 'linux'].includes(e)) continue;
      if (libdir === 'usr/lib' && !/-linux-gnu/.test(e)) continue;
      fs.cpSync(path.join(src, e), path.join(root, libdir, e), { recursive: true, verbatimSymlinks: true });
    }
  }
  const order = resolveModules(path.join(x, 'lib', 'modules', kver), p.modules, root);
  fs.writeFileSync(path.join(root, 'mod', 'order'), order.join('\n') + '\n');
  fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\n');
  fs.writeFileSync(path.join(root, 'etc', 'shells'), '/bin/sh\n');
  fs.writeFileSync(path.join(root, 'etc', 'hosts'), '127.0.0.1 localhost\n');
  fs.writeFileSync(path.join(root, 'root', '.ssh', 'authorized_keys'), o.authorizedKey.trim() + '\n', { mode: 0o600 });
  fs.chmodSync(path.join(root, 'root'), 0o700);
  fs.chmodSync(path.join(root, 'root', '.ssh'), 0o700);
  fs.writeFileSync(path.join(root, 'init'), initTemplate, { mode: 0o755 });

  const cpioFile = path.join(work, 'initramfs.cpio');
  const list = listTree(root).join('\n') + '\n';
  await run(['cpio', '-o', '-H', 'newc', '--quiet', '-R', '0:0', '-O', cpioFile], { cwd: root, input: list });
  const initrd = path.join(imgDir, 'initramfs.cpio.gz');
  fs.writeFileSync(initrd + '.tmp', zlib.gzipSync(fs.readFileSync(cpioFile), { level: 6 }));
  fs.renameSync(initrd + '.tmp', initrd);
  const kernel = path.join(imgDir, 'kernel');
  fs.copyFileSync(path.join(boot, kfile), kernel + '.tmp');
  fs.renameSync(kernel + '.tmp', kernel);
  if (fs.existsSync(config)) fs.copyFileSync(config, path.join(imgDir, 'config'));
  fs.rmSync(work, { recursive: true, force: true });
  const m: ImageManifest = {
    debArch: p.debArch, hash, kernelPackage: pkgs[0].name, kernelVersion: kver, packages: ids,
    kernel, initrd, builtAt: new Date().toISOString(),
  };
  fs.writeFileSync(path.join(imgDir, 'manifest.json'), JSON.stringify(m, null, 2) + '\n');
  return m;
}

function userlandNames(pkgs: DebPackage[]): Set<string> {
  return new Set(pkgs.slice(1).map((q) => q.name));
}

/** Relative paths of every entry under dir, parents first (what cpio wants on stdin). */
function listTree(dir: string, rel = '.'): string[] {
  const out = [rel];
  const abs = path.join(dir, rel);
  const st = fs.lstatSync(abs);
  if (st.isDirectory()) for (const e of fs.readdirSync(abs).sort()) out.push(...listTree(dir, path.join(rel, e)));
  return out;
}

/**
 * Copies the wanted modules and their dependencies to root/mod and returns
 * their load order. Dependencies come from the `depends=` entry of each
 * module's .modinfo section (the deb has no modules.dep; depmod runs at
 * install time), which reads the same on every endianness.
 */
function resolveModules(modDir: string, wanted: string[], root: string): string[] {
  const index = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ko')) index.set(e.name.slice(0, -3).replace(/-/g, '_'), full);
    }
  };
  walk(modDir);
  const order: string[] = [];
  const visit = (name: string, stack: string[]) => {
    const n = name.replace(/-/g, '_');
    if (order.includes(n) || stack.includes(n)) return;
    const file = index.get(n);
    if (!file) return; // built in, or not in this kernel
    const info = fs.readFileSync(file);
    const m = /\0depends=([A-Za-z0-9_,-]*)\0/.exec(info.toString('latin1'));
    for (const dep of (m?.[1] ?? '').split(',').filter(Boolean)) visit(dep, [...stack, n]);
    fs.copyFileSync(file, path.join(root, 'mod', `${n}.ko`));
    order.push(n);
  };
  for (const w of wanted) visit(w, []);
  return order;
}
