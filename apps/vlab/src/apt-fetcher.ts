import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, VlabError } from './exec';

/*
 * Downloads Debian packages of foreign architectures with a private apt
 * configuration (own sources.list, lists, cache and an empty dpkg status),
 * so the host's apt/dpkg setup is never touched: no `dpkg --add-architecture`.
 */

export interface DebPackage {
  name: string;
  arch: string;
  version: string;
  depends: string[];
  file: string;
}

export interface AptFetcherOptions {
  dir: string;
  arches: string[];
  mirror?: string;
  suite?: string;
  log?: (msg: string) => void;
  /** Re-read the archive's index even when the cached one is fresh. */
  refresh?: boolean;
}

const DAY_MS = 24 * 3600 * 1000;

export class AptFetcher {
  private readonly mirror: string;
  private readonly suite: string;
  private readonly log: (msg: string) => void;
  private readonly cache = new Map<string, DebPackage>();

  constructor(private readonly o: AptFetcherOptions) {
    this.mirror = o.mirror ?? process.env.PFNLAB_VLAB_MIRROR ?? 'http://deb.debian.org/debian';
    this.suite = o.suite ?? process.env.PFNLAB_VLAB_SUITE ?? 'bookworm';
    this.log = o.log ?? (() => undefined);
    if (!/^https?:\/\/[A-Za-z0-9.:/_~-]+$/.test(this.mirror)) throw new VlabError(`bad mirror URL ${this.mirror}`);
    if (!/^[a-z0-9-]+$/.test(this.suite)) throw new VlabError(`bad suite name ${this.suite}`);
  }

  private get opts(): string[] {
    const d = this.o.dir;
    const o = [
      `Dir::Etc::SourceList=${path.join(d, 'sources.list')}`,
      'Dir::Etc::SourceParts=/dev/null',
      'Dir::Etc::Preferences=/dev/null',
      'Dir::Etc::PreferencesParts=/dev/null',
      `Dir::State::Lists=${path.join(d, 'lists')}`,
      `Dir::State::status=${path.join(d, 'status')}`,
      `Dir::Cache=${path.join(d, 'cache')}`,
      // Debian images often disable the binary cache; without it every call re-parses all indexes.
      'Dir::Cache::pkgcache=pkgcache.bin',
      'Dir::Cache::srcpkgcache=srcpkgcache.bin',
      'Debug::NoLocking=1',
      // The private lists live in the user's data dir, which apt's _apt sandbox user may not reach.
      ...(process.getuid?.() === 0 ? ['APT::Sandbox::User=root'] : []),
      'APT::Get::AllowUnauthenticated=false',
      'APT::Architectures::=amd64',
      ...this.o.arches.map((a) => `APT::Architectures::=${a}`),
    ];
    return o.flatMap((x) => ['-o', x]);
  }

  /** Writes the private config and refreshes the index when missing or older than a day. */
  async update(): Promise<void> {
    const d = this.o.dir;
    for (const sub of ['lists/partial', 'cache/archives/partial']) fs.mkdirSync(path.join(d, sub), { recursive: true });
    const sources = `deb [arch=${[...new Set(['amd64', ...this.o.arches])].join(',')} signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${this.mirror} ${this.suite} main\n`;
    const srcFile = path.join(d, 'sources.list');
    const changed = !fs.existsSync(srcFile) || fs.readFileSync(srcFile, 'utf8') !== sources;
    fs.writeFileSync(srcFile, sources);
    if (!fs.existsSync(path.join(d, 'status'))) fs.writeFileSync(path.join(d, 'status'), '');
    const stamp = path.join(d, 'updated');
    const haveLists = fs.readdirSync(path.join(d, 'lists')).some((f) => f.includes('_Packages'));
    const fresh = fs.existsSync(stamp) && Date.now() - fs.statSync(stamp).mtimeMs < DAY_MS;
    if (haveLists && fresh && !changed && !this.o.refresh) return;
    this.log(`apt: reading the ${this.suite} index for ${this.o.arches.join(', ')}`);
    const res = await run(['apt-get', ...this.opts, '-q', 'update'], { check: false, timeoutMs: 300_000 });
    const nowHave = fs.readdirSync(path.join(d, 'lists')).some((f) => f.includes('_Packages'));
    if (res.code !== 0 || !nowHave) {
      if (!nowHave) {
        throw new VlabError(`apt-get update for the vlab's private index failed: ${(res.stderr || res.stdout).trim().split('\n').slice(-2).join(' | ')}`,
          `check that ${this.mirror} is reachable (PFNLAB_VLAB_MIRROR overrides it)`);
      }
      this.log(`apt: update failed, using the cached index (${res.stderr.trim().split('\n').pop()})`);
      return;
    }
    fs.writeFileSync(stamp, new Date().toISOString() + '\n');
  }

  /** Looks a package up in the private index (candidate version). */
  async show(name: string, arch: string): Promise<DebPackage> {
    return (await this.showMany([name], arch))[0];
  }

  /** Looks several packages of one architecture up with one apt-cache run. */
  async showMany(names: string[], arch: string): Promise<DebPackage[]> {
    await this.lookUp(names.filter((n) => !this.cache.has(`${n}:${arch}`)), arch, arch);
    // Architecture: all packages (debconf, ...) are listed as name:all only.
    await this.lookUp(names.filter((n) => !this.cache.has(`${n}:${arch}`)), 'all', arch);
    return names.map((n) => {
      const p = this.cache.get(`${n}:${arch}`);
      if (!p) {
        throw new VlabError(`package ${n}:${arch} is not in the Debian ${this.suite} index (${this.mirror})`,
          'run with PFNLAB_VLAB_REFRESH=1 to re-read the index, or check the mirror');
      }
      return p;
    });
  }

  private async lookUp(want: string[], queryArch: string, arch: string): Promise<void> {
    if (want.length) {
      const res = await run(['apt-cache', ...this.opts, 'show', '--no-all-versions', ...want.map((n) => `${n}:${queryArch}`)], { check: false });
      for (const stanza of res.stdout.split(/\n\n+/)) {
        const field = (f: string) => new RegExp(`^${f}: (.*)$`, 'm').exec(stanza)?.[1]?.trim();
        const name = field('Package');
        const version = field('Version');
        if (!name || !version) continue;
        const parseDeps = (s: string | undefined) =>
          (s ?? '').split(',').map((d) => d.split('|')[0].trim().split(/[\s(]/)[0].replace(/:any$/, '')).filter(Boolean);
        const debArch = field('Architecture') ?? arch;
        this.cache.set(`${name}:${arch}`, {
          name, arch: debArch === 'all' ? 'all' : arch, version,
          depends: [...parseDeps(field('Pre-Depends')), ...parseDeps(field('Depends'))],
          file: `${name}_${version.replace(/:/g, '%3a')}_${debArch}.deb`,
        });
      }
    }
  }

  /** The packages plus everything they depend on (first alternatives), within one architecture. */
  async closure(names: string[], arch: string): Promise<DebPackage[]> {
    const out = new Map<string, DebPackage>();
    let level = names;
    while (level.length) {
      const pkgs = await this.showMany(level, arch);
      for (const p of pkgs) out.set(p.name, p);
      level = [...new Set(pkgs.flatMap((p) => p.depends))].filter((d) => !out.has(d));
    }
    return [...out.values()];
  }

  /** Downloads the packages missing from destDir in one apt run; on failure names the package that failed. */
  async downloadAll(pkgs: DebPackage[], destDir: string): Promise<string[]> {
    fs.mkdirSync(destDir, { recursive: true });
    const missing = pkgs.filter((p) => !fs.existsSync(path.join(destDir, p.file)));
    if (missing.length > 1) {
      this.log(`apt: downloading ${missing.map((p) => `${p.name}:${p.arch}`).join(' ')}`);
      await run(['apt-get', ...this.opts, '-q', 'download', ...missing.map((p) => `${p.name}:${p.arch}=${p.version}`)],
        { cwd: destDir, check: false, timeoutMs: 900_000 });
    }
    const out: string[] = [];
    for (const p of pkgs) out.push(await this.download(p, destDir));
    return out;
  }

  /** Downloads the package's .deb into destDir unless it is already there; returns its path. */
  async download(pkg: DebPackage, destDir: string): Promise<string> {
    fs.mkdirSync(destDir, { recursive: true });
    const dest = path.join(destDir, pkg.file);
    if (fs.existsSync(dest) && fs.statSync(dest).size > 0) return dest;
    this.log(`apt: downloading ${pkg.name}:${pkg.arch} ${pkg.version}`);
    const res = await run(['apt-get', ...this.opts, '-q', 'download', `${pkg.name}:${pkg.arch}=${pkg.version}`], { cwd: destDir, check: false, timeoutMs: 600_000 });
    if (res.code !== 0 || !fs.existsSync(dest)) {
      throw new VlabError(`cannot fetch package ${pkg.name}:${pkg.arch} (${pkg.version}): ${(res.stderr || res.stdout).trim().split('\n').slice(-2).join(' | ')}`,
        `check that ${this.mirror} is reachable; PFNLAB_VLAB_REFRESH=1 re-reads the index`);
    }
    return dest;
  }
}
