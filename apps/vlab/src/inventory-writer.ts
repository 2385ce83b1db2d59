import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inventory, InventorySchema } from '@pfnlab/contracts';
import { VlabError } from './exec';
import { bootMethodsOf, BootMethodName, HMC_CPC, LAB_NAME, MACHINES, MachineDef, profileOf } from './machines';
import { VlabPaths } from './paths';
import { BMC_USER, HMC_USER } from './secrets';
import { VlabState } from './vlab-state';

/*
 * The lab inventory of the virtual lab, in exactly the format the agent reads
 * for real machines (libs/contracts/src/inventory.ts); credentials by file:
 * reference into the data dir's secrets/.
 */

export interface InventoryOptions {
  /** x86-01 powered through its Redfish service instead of IPMI. */
  redfish?: boolean;
  /** Consoles through the console servers (x86-01: conserver, tx2-01: ser2net telnet) instead of SOL. */
  consoleServers?: boolean;
  /** Boot methods by machine name (default netboot); see bootMethodsOf(). */
  boot?: Record<string, BootMethodName>;
}

/** Parses `x86-01=kexec,z15-lpar-01=zipl` (the CLI's --boot), refusing what a machine cannot do. */
export function parseBootChoices(spec: string[]): Record<string, BootMethodName> {
  const out: Record<string, BootMethodName> = {};
  for (const item of spec.flatMap((x) => x.split(',')).filter(Boolean)) {
    const [name, method] = item.split('=');
    const m = MACHINES.find((x) => x.name === name);
    if (!m) throw new VlabError(`--boot ${item}: no vlab machine "${name}"`, `machines: ${MACHINES.map((x) => x.name).join(', ')}`);
    const can = bootMethodsOf(m);
    if (!can.includes(method as BootMethodName)) throw new VlabError(`--boot ${item}: ${name} cannot boot by "${method}"`, `${name} can: ${can.join(', ')}`);
    out[name] = method as BootMethodName;
  }
  return out;
}

/** The boot section of a machine for a method. */
function bootConfig(m: MachineDef, method: BootMethodName, dir: string, viaConsoleServer: boolean) {
  const p = profileOf(m);
  // Behind a console server the kernel must print on that UART too (the primary stays /dev/console: last).
  const consoleParams = viaConsoleServer && p.secondaryTty ? [`console=${p.secondaryTty},115200`, ...p.consoleParams] : p.consoleParams;
  const common = { method, consoleParams, earlyconParams: p.earlyconParams, readyMarker: 'VLAB-READY' };
  switch (method) {
    case 'netboot':
      return { ...common, stagingDir: path.join(dir, 'boot', 'next') };
    case 'grub-oneshot':
      return { ...common, remoteDir: '/boot/pfnlab', grubDir: '/boot/grub', grubRootDir: '/boot' };
    case 'zipl':
      // boot-disk.ts: the disk at ccw 0.0.0100, mounted at /boot by the known-good OS.
      return { ...common, remoteDir: '/boot/pfnlab', reiplDevice: '0.0.0100' };
    default:
      return common;
  }
}

export const LPAR_NAME = 'VLABLP01';
export const LPAR_LOAD_ADDRESS = '0.0.0001';

function certSha256(file: string): string | undefined {
  try { return new X509Certificate(fs.readFileSync(file)).fingerprint256; } catch { return undefined; }
}

function entry(m: MachineDef, paths: VlabPaths, st: VlabState, o: InventoryOptions) {
  const ports = st.ports[m.name] ?? {};
  const p = profileOf(m);
  const dir = paths.machine(m.name);
  const cert = certSha256(paths.secret('tls.crt'));
  let power;
  if (m.mgmt === 'hmc') {
    power = { driver: 'hmc', baseUrl: `https://127.0.0.1:${st.ports.lab.hmc}`, username: HMC_USER, passwordRef: `file:${paths.secret('hmc-password')}`,
      cpc: HMC_CPC, lpar: LPAR_NAME, loadAddress: LPAR_LOAD_ADDRESS, loadParameter: '', ...(cert ? { certSha256: cert } : {}) };
  } else if (o.redfish && m.redfish) {
    power = { driver: 'redfish', baseUrl: `https://127.0.0.1:${ports.redfish}`, systemId: m.name, username: BMC_USER,
      passwordRef: `file:${paths.secret('bmc-password')}`, ...(cert ? { certSha256: cert } : {}) };
  } else {
    power = { driver: 'ipmi', host: '127.0.0.1', port: ports.ipmi, username: BMC_USER, passwordRef: `file:${paths.secret('bmc-password')}`, cipherSuite: 3 };
  }
  let console;
  if (m.mgmt === 'hmc') console = { driver: 'hmc' };
  else if (o.consoleServers && m.consoleServer === 'ser2net') console = { driver: 'telnet', host: '127.0.0.1', port: ports.consoleServer };
  else if (o.consoleServers && m.consoleServer === 'conserver') console = { driver: 'conserver', host: '127.0.0.1', port: st.ports.lab.conserver, name: m.name };
  else console = { driver: 'ipmi-sol', instance: 1 };
  return {
    name: m.name, arch: m.arch, platform: m.platform, memoryMiB: m.memoryMiB, cpus: m.cpus, tags: ['vlab', 'qemu', p.debArch],
    power, console,
    boot: bootConfig(m, o.boot?.[m.name] ?? 'netboot', dir, console.driver === 'telnet' || console.driver === 'conserver'),
    ssh: { host: '127.0.0.1', port: ports.ssh, username: 'root', privateKeyRef: `file:${paths.secret('id_ed25519')}` },
    hotplug: { methods: p.hotplugMethods, qmpSocket: path.join(dir, 'qmp.sock') },
    description: m.description,
  };
}

export function buildInventory(paths: VlabPaths, st: VlabState, o: InventoryOptions = {}): Inventory {
  return InventorySchema.parse({ version: 1, lab: LAB_NAME, machines: MACHINES.map((m) => entry(m, paths, st, o)) });
}
