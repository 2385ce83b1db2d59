import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InventorySchema, type Inventory, type InventoryMachine } from '@pfnlab/contracts';
import { createDrivers, SecretResolver, type ConsoleConnection, type DriverOptions, type MachineDrivers } from '@pfnlab/machines';

/*
 * A private virtual lab for one driver test file: own data dir and port
 * base (away from test/vlab's /tmp/pfnlab-vlab-test:18100 and a developer's
 * lab), machines left off (`vlab up --no-power-on`). The tests then touch
 * the lab ONLY through drivers made by createDrivers() from the inventory
 * the vlab generates.
 */

/** The repository root, from the sources (jest) or from their build under dist/ (the benchmarks). */
const ABOVE = path.resolve(__dirname, '..', '..');
export const REPO = path.basename(ABOVE) === 'dist' ? path.dirname(ABOVE) : ABOVE;
/** Where test/vlab keeps its built images; reused so no test file rebuilds them. */
const IMAGE_SOURCE = process.env.PFNLAB_VLAB_TEST_DIR ?? '/tmp/pfnlab-vlab-test';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class DriverTestLab {
  constructor(
    readonly dir: string,
    readonly portBase: number,
    readonly extraEnv: Record<string, string> = {},
  ) {}

  env(): NodeJS.ProcessEnv {
    return { ...process.env, PFNLAB_VLAB_DIR: this.dir, PFNLAB_VLAB_PORT_BASE: String(this.portBase), ...this.extraEnv };
  }

  cli(args: string[]): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'pfnlab'), ...args], { env: this.env(), encoding: 'utf8', timeout: 900_000 });
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * The vlab image cache lives in the data dir (images/, keyed by a hash
   * that includes the SSH key): copying another lab's images and key makes
   * `vlab up` take its offline fast path instead of a download and build.
   */
  private seedImages(): void {
    const src = path.join(IMAGE_SOURCE, 'images');
    if (fs.existsSync(path.join(this.dir, 'images')) || !fs.existsSync(src)) return;
    for (const f of ['id_ed25519', 'id_ed25519.pub']) if (!fs.existsSync(path.join(IMAGE_SOURCE, 'secrets', f))) return;
    fs.mkdirSync(path.join(this.dir, 'secrets'), { recursive: true, mode: 0o700 });
    for (const f of ['id_ed25519', 'id_ed25519.pub']) fs.copyFileSync(path.join(IMAGE_SOURCE, 'secrets', f), path.join(this.dir, 'secrets', f));
    fs.cpSync(src, path.join(this.dir, 'images'), { recursive: true });
    for (const arch of fs.readdirSync(path.join(this.dir, 'images'))) {
      const mf = path.join(this.dir, 'images', arch, 'manifest.json');
      if (!fs.existsSync(mf)) continue;
      const m = JSON.parse(fs.readFileSync(mf, 'utf8'));
      for (const k of ['kernel', 'initrd']) m[k] = path.join(this.dir, 'images', arch, path.basename(m[k]));
      fs.writeFileSync(mf, JSON.stringify(m, null, 2) + '\n');
    }
  }

  up(): void {
    // The vlab CLI and its emulators run from dist/ (the drivers under test run from source).
    if (!fs.existsSync(path.join(REPO, 'dist', 'apps', 'vlab', 'src', 'hmc-emulator', 'main.js'))) {
      spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8', timeout: 600_000 });
    }
    this.cli(['vlab', 'down']);
    this.seedImages();
    const r = this.cli(['vlab', 'up', '--no-power-on']);
    if (r.code !== 0) throw new Error(`vlab up failed: ${r.stderr}${r.stdout}`);
  }

  down(): void {
    this.cli(['vlab', 'down']);
  }

  inventory(flags: string[] = []): Inventory {
    const r = this.cli(['vlab', 'inventory', '--json', ...flags]);
    if (r.code !== 0) throw new Error(`vlab inventory failed: ${r.stderr}`);
    return InventorySchema.parse(JSON.parse(r.stdout));
  }

  machine(name: string, flags: string[] = []): InventoryMachine {
    const m = this.inventory(flags).machines.find((x) => x.name === name);
    if (!m) throw new Error(`no ${name} in the vlab inventory`);
    return m;
  }

  drivers(m: InventoryMachine, o: DriverOptions = {}): MachineDrivers {
    return createDrivers(m, new SecretResolver(), o);
  }

  fault(name: string, fault: string): void {
    const r = this.cli(['vlab', 'fault', name, fault]);
    if (r.code !== 0) throw new Error(`vlab fault ${name} ${fault} failed: ${r.stderr}`);
  }

  /** The known-good kernel and initramfs of a machine (what the staging tests boot). */
  defaultBoot(name: string): { kernel: string; initrd: string; cmdline: string[] } {
    const d = path.join(this.dir, 'machines', name, 'default');
    return { kernel: path.join(d, 'kernel'), initrd: path.join(d, 'initrd'), cmdline: fs.readFileSync(path.join(d, 'cmdline'), 'utf8').trim().split(/\s+/) };
  }
}

/** Everything a console connection delivered, as text, with a wait helper. */
export class Capture {
  text = '';
  closedWith?: string;
  constructor(readonly conn: ConsoleConnection) {
    conn.onData((d) => (this.text += d.toString('latin1')));
    conn.onClose((r) => (this.closedWith = r));
  }

  async waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<string> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (re.test(this.text.slice(from))) return this.text.slice(from);
      await sleep(100);
    }
    throw new Error(`${re} not seen within ${timeoutMs} ms; last output: ${JSON.stringify(this.text.slice(-800))}`);
  }
}

export function secs(t0: number): string {
  return ((Date.now() - t0) / 1000).toFixed(1);
}
