import * as os from 'node:os';
import * as path from 'node:path';

/** Where the repository's deploy/vlab scripts live (works from src/ under jest and from dist/). */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (require('node:fs').existsSync(path.join(dir, 'deploy', 'vlab', 'start-machine.sh'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find deploy/vlab next to the vlab code');
}

/** The vlab's data directory: env PFNLAB_VLAB_DIR, default ~/.cache/pfnlab/vlab. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.PFNLAB_VLAB_DIR || path.join(os.homedir(), '.cache', 'pfnlab', 'vlab'));
}

/** Layout of the data directory. */
export class VlabPaths {
  constructor(readonly root: string) {}
  get state() { return path.join(this.root, 'state.json'); }
  get lock() { return path.join(this.root, 'state.lock'); }
  get inventory() { return path.join(this.root, 'inventory.yaml'); }
  get logs() { return path.join(this.root, 'logs'); }
  get apt() { return path.join(this.root, 'apt'); }
  get debs() { return path.join(this.root, 'debs'); }
  get secrets() { return path.join(this.root, 'secrets'); }
  get conserver() { return path.join(this.root, 'conserver'); }
  get ser2net() { return path.join(this.root, 'ser2net'); }
  image(debArch: string) { return path.join(this.root, 'images', debArch); }
  machine(name: string) { return path.join(this.root, 'machines', name); }
  secret(name: string) { return path.join(this.secrets, name); }
}

export function scriptPath(name: string): string {
  return path.join(repoRoot(), 'deploy', 'vlab', name);
}

/** Data dir paths must be safe inside QEMU options (no commas), shell-free configs and file: secret refs. */
export const SAFE_DIR_RE = /^\/[A-Za-z0-9._/+@=-]{1,200}$/;
