import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { sleep, VlabError } from './exec';
import { HmcClient } from './hmc-client';
import { prepareImages } from './image-builder';
import { buildInventory, InventoryOptions, LPAR_LOAD_ADDRESS, LPAR_NAME } from './inventory-writer';
import { ipmiSimArgv, writeIpmiSimFiles } from './ipmi-sim-config';
import { ipmitool, powerStatus } from './ipmitool';
import { HMC_CPC, MACHINES, MachineDef, machineByName, portRoles, profileOf } from './machines';
import { repoRoot, SAFE_DIR_RE, VlabPaths } from './paths';
import { PortAllocator } from './port-allocator';
import { isAlive, isStopped, killPids, processesMentioning, startDetached, stopGroup } from './process-supervisor';
import { defaultCmdline, qemuArgv, writeMachineDir } from './qemu-command';
import { ensureBootDisk } from './boot-disk';
import { ensureSecrets, HMC_USER, BMC_USER, readSecret, VlabSecrets } from './secrets';
import { writeConserver, writeSer2net } from './console-servers';
import { emptyState, Fault, loadState, recordedPorts, saveState, VlabState, withLock } from './vlab-state';

/*
 * The virtual lab as a whole: `up` (images, BMCs, emulators, console
 * servers, power-on), `down`, `status`, faults and the inventory.
 */

/** Below the kernel's ephemeral port range (see port-allocator.ts). */
export const DEFAULT_PORT_BASE = 17100;

export interface UpOptions { powerOn?: boolean; log?: (msg: string) => void }

export interface MachineStatus {
  name: string; arch: string; mgmt: string; power: 'on' | 'off' | 'unknown'; qemu: 'running' | 'not running' | 'crashed';
  bmc: 'running' | 'silent' | 'dead' | 'not started'; fault: Fault; detail: string; ports: Record<string, number>;
}
export interface ServiceStatus { name: string; state: 'running' | 'silent' | 'dead'; pid: number }
export interface LabStatus { dataDir: string; up: boolean; machines: MachineStatus[]; services: ServiceStatus[] }

const HMC_SESSION_TIMEOUT = () => Number(process.env.PFNLAB_VLAB_HMC_SESSION_TIMEOUT ?? 3600);

export class Vlab {
  readonly paths: VlabPaths;
  constructor(readonly dataDir: string) {
    if (!SAFE_DIR_RE.test(dataDir)) {
      throw new VlabError(`the vlab data dir ${dataDir} contains characters the lab's configs cannot carry`, 'set PFNLAB_VLAB_DIR to a path of letters, digits and ._/+@=-');
    }
    this.paths = new VlabPaths(dataDir);
  }

  state(): VlabState | undefined { return loadState(this.paths); }

  private emulatorEntry(name: string): string {
    const f = path.join(repoRoot(), 'dist', 'apps', 'vlab', 'src', name, 'main.js');
    if (!fs.existsSync(f)) throw new VlabError(`${f} is missing`, 'run `npm run build` first');
    return f;
  }

  /**
   * The saved state, or a new one. A lab that is down and was set up from
   * another port base (an older default inside the ephemeral range, or a
   * changed PFNLAB_VLAB_PORT_BASE) gives up its recorded ports for new ones.
   */
  private stateForPortBase(base: number): VlabState {
    const st = this.state();
    if (!st) return emptyState(base);
    if (st.portBase !== base && Object.keys(st.processes).length === 0) return { ...st, portBase: base, ports: {} };
    return st;
  }

  private async allocatePorts(st: VlabState): Promise<void> {
    const alloc = new PortAllocator(st.portBase, recordedPorts(st));
    const need: Array<[string, string]> = [['lab', 'hmc'], ['lab', 'conserver']];
    for (const m of MACHINES) for (const r of [...portRoles(m), 'consoleRelay']) need.push([m.name, r]);
    for (const [owner, role] of need) {
      st.ports[owner] ??= {};
      if (st.ports[owner][role] === undefined) st.ports[owner][role] = await alloc.allocate();
    }
  }

  async up(o: UpOptions = {}): Promise<LabStatus> {
    const log = o.log ?? (() => undefined);
    return withLock(this.paths, async () => {
      fs.mkdirSync(this.paths.logs, { recursive: true });
      const secrets = await ensureSecrets(this.paths);
      const images = await prepareImages([...new Set(MACHINES.map((m) => profileOf(m)))], { paths: this.paths, authorizedKey: secrets.sshPublicKey, log });
      const st = this.stateForPortBase(Number(process.env.PFNLAB_VLAB_PORT_BASE ?? DEFAULT_PORT_BASE));
      await this.allocatePorts(st);
      saveState(this.paths, st);
      const relayJs = path.join(repoRoot(), 'dist', 'apps', 'vlab', 'src', 'lossy-relay.js');
      for (const m of MACHINES) {
        const ports = st.ports[m.name];
        const dir = this.paths.machine(m.name);
        const mp = { console: ports.console, ssh: ports.ssh, console2: ports.console2 };
        writeMachineDir(m, dir, mp, images.get(profileOf(m).debArch)!);
        await ensureBootDisk(m, dir, images.get(profileOf(m).debArch)!, defaultCmdline(m));
        fs.writeFileSync(path.join(dir, 'qemu-drop.argv'), qemuArgv(m, dir, { ...mp, console: ports.consoleRelay }).join('\0') + '\0');
        fs.writeFileSync(path.join(dir, 'relay.argv'), [process.execPath, relayJs, String(ports.console), String(ports.consoleRelay)].join('\0') + '\0');
        fs.writeFileSync(path.join(dir, 'fault'), (st.faults[m.name] ?? 'none') + '\n');
        if (m.mgmt === 'ipmi') {
          const files = writeIpmiSimFiles({ name: m.name, machineDir: dir, lanPort: ports.ipmi, consolePort: ports.console, vmPort: ports.ipmiVm, password: readSecret(secrets.bmcPasswordFile) },
            0x0f00 + MACHINES.indexOf(m));
          await this.ensureProcess(st, `bmc:${m.name}`, ipmiSimArgv(files), path.join(dir, 'bmc', 'ipmi_sim.log'), dir);
        }
      }
      await this.startServices(st, secrets);
      saveState(this.paths, st);
      for (const m of MACHINES.filter((x) => x.mgmt === 'ipmi')) await this.waitIpmi(st, m);
      await this.waitTcp(st.ports.lab.hmc, 'HMC emulator');
      if (o.powerOn !== false) await this.powerOnAll(st, secrets, log);
      st.upAt = new Date().toISOString();
      saveState(this.paths, st);
      this.writeInventory(st);
      return this.statusOf(st);
    });
  }

  private async ensureProcess(st: VlabState, key: string, argv: string[], logFile: string, cwd?: string): Promise<void> {
    const rec = st.processes[key];
    if (rec && isAlive(rec)) return;
    if (rec) await stopGroup(rec.pid, 1000);
    st.processes[key] = startDetached(argv, logFile, process.env, cwd);
  }

  private async startServices(st: VlabState, s: VlabSecrets): Promise<void> {
    const lab = st.ports.lab;
    const hmcDir = path.join(this.paths.root, 'hmc');
    fs.mkdirSync(hmcDir, { recursive: true });
    const z = MACHINES.find((m) => m.mgmt === 'hmc')!;
    const hmcCfg = {
      port: lab.hmc, certFile: s.tlsCertFile, keyFile: s.tlsKeyFile, username: HMC_USER, passwordFile: s.hmcPasswordFile,
      sessionTimeoutSec: HMC_SESSION_TIMEOUT(), cpc: { id: 'c0ffee0015', name: HMC_CPC },
      lpars: [{ id: 'a1b2c3d4e5', name: LPAR_NAME, machineDir: this.paths.machine(z.name), consolePort: st.ports[z.name].console,
        startScript: path.join(repoRoot(), 'deploy', 'vlab', 'start-machine.sh') }],
    };
    fs.writeFileSync(path.join(hmcDir, 'config.json'), JSON.stringify(hmcCfg, null, 2));
    await this.ensureProcess(st, 'hmc', [process.execPath, this.emulatorEntry('hmc-emulator'), path.join(hmcDir, 'config.json')], path.join(hmcDir, 'hmc.log'));
    for (const m of MACHINES.filter((x) => x.redfish)) {
      const dir = path.join(this.paths.machine(m.name), 'redfish');
      fs.mkdirSync(dir, { recursive: true });
      const cfg = {
        port: st.ports[m.name].redfish, certFile: s.tlsCertFile, keyFile: s.tlsKeyFile, username: BMC_USER, passwordFile: s.bmcPasswordFile,
        systemId: m.name, sessionTimeoutSec: 1800, ipmi: { host: '127.0.0.1', port: st.ports[m.name].ipmi, username: BMC_USER, passwordFile: s.bmcPasswordFile },
      };
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg, null, 2));
      await this.ensureProcess(st, `redfish:${m.name}`, [process.execPath, this.emulatorEntry('redfish-emulator'), path.join(dir, 'config.json')], path.join(dir, 'redfish.log'));
    }
    const s2n = MACHINES.filter((m) => m.consoleServer === 'ser2net').map((m) => ({ name: m.name, qemuPort: st.ports[m.name].console2, listenPort: st.ports[m.name].consoleServer }));
    if (s2n.length) await this.ensureProcess(st, 'ser2net', writeSer2net(this.paths.ser2net, s2n), path.join(this.paths.ser2net, 'ser2net.out'));
    const cs = MACHINES.filter((m) => m.consoleServer === 'conserver').map((m) => ({ name: m.name, qemuPort: st.ports[m.name].console2 }));
    if (cs.length) await this.ensureProcess(st, 'conserver', writeConserver(this.paths.conserver, lab.conserver, cs), path.join(this.paths.conserver, 'conserver.out'));
  }

  private async waitIpmi(st: VlabState, m: MachineDef): Promise<void> {
    const pw = this.paths.secret('bmc-password');
    for (let i = 0; i < 40; i++) {
      if ((await powerStatus(st.ports[m.name].ipmi, pw)) !== 'unknown') return;
      await sleep(250);
    }
    throw new VlabError(`the BMC of ${m.name} (ipmi_sim on UDP ${st.ports[m.name].ipmi}) does not answer`, `see ${this.paths.machine(m.name)}/bmc/ipmi_sim.log`);
  }

  private async waitTcp(port: number, what: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((r) => {
        const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); r(true); });
        s.on('error', () => r(false));
      });
      if (ok) return;
      await sleep(100);
    }
    throw new VlabError(`${what} does not listen on 127.0.0.1:${port}`, `see the logs under ${this.paths.root}`);
  }

  hmcClient(st: VlabState): HmcClient {
    return new HmcClient(`https://127.0.0.1:${st.ports.lab.hmc}`, HMC_USER, readSecret(this.paths.secret('hmc-password')));
  }

  private async powerOnAll(st: VlabState, s: VlabSecrets, log: (m: string) => void): Promise<void> {
    for (const m of MACHINES) {
      if (m.mgmt === 'ipmi') {
        if ((await powerStatus(st.ports[m.name].ipmi, s.bmcPasswordFile)) === 'off') {
          log(`${m.name}: chassis power on`);
          await ipmitool(st.ports[m.name].ipmi, s.bmcPasswordFile, ['chassis', 'power', 'on']);
        }
      } else {
        const c = this.hmcClient(st);
        await c.logon();
        try {
          const uri = await c.lparUri(HMC_CPC, LPAR_NAME);
          const props = (await c.request('GET', uri)).body;
          if (props.status === 'not-activated') await c.operation(uri, 'activate', {});
          if (props.status !== 'operating') {
            log(`${m.name}: HMC load ${LPAR_LOAD_ADDRESS}`);
            await c.operation(uri, 'load', { 'load-address': LPAR_LOAD_ADDRESS, 'load-parameter': '' });
          }
        } finally { await c.logoff(); }
      }
    }
  }

  async down(): Promise<{ stopped: number; leftovers: number }> {
    return withLock(this.paths, async () => {
      const st = this.state();
      let stopped = 0;
      if (st) {
        for (const [key, rec] of Object.entries(st.processes)) {
          if (isAlive(rec)) stopped++;
          await stopGroup(rec.pid, key.startsWith('bmc:') ? 2000 : 3000);
          delete st.processes[key];
        }
        st.upAt = undefined;
        saveState(this.paths, st);
      }
      // Anything else of this lab (e.g. after `vlab up` itself crashed): every
      // process whose command line names this data dir.
      const left = processesMentioning(this.paths.root + '/');
      await killPids(left);
      for (const m of MACHINES) fs.rmSync(path.join(this.paths.machine(m.name), 'qemu.pid'), { force: true });
      return { stopped, leftovers: left.length };
    });
  }

  async setFault(name: string, fault: Fault): Promise<void> {
    const m = machineByName(name);
    if (!m) throw new VlabError(`no vlab machine ${name}`, `machines: ${MACHINES.map((x) => x.name).join(', ')}`);
    await withLock(this.paths, async () => {
      const st = this.state();
      if (!st) throw new VlabError('the vlab is not set up', 'run `pfnlab vlab up` first');
      st.faults[name] = fault;
      fs.mkdirSync(this.paths.machine(name), { recursive: true });
      fs.writeFileSync(path.join(this.paths.machine(name), 'fault'), fault + '\n');
      // bmc-silent: the management processes of this machine stop answering (SIGSTOP), clear: SIGCONT.
      const keys = m.mgmt === 'hmc' ? ['hmc'] : [`bmc:${name}`, `redfish:${name}`];
      for (const k of keys) {
        const rec = st.processes[k];
        if (rec && isAlive(rec)) process.kill(rec.pid, fault === 'bmc-silent' ? 'SIGSTOP' : 'SIGCONT');
      }
      saveState(this.paths, st);
    });
  }

  writeInventory(st: VlabState, o: InventoryOptions = {}, file = this.paths.inventory): string {
    const inv = buildInventory(this.paths, st, o);
    const text = `# pfnlab lab inventory of the virtual lab (generated by \`pfnlab vlab inventory\`)\n${YAML.stringify(inv)}`;
    fs.writeFileSync(file, text);
    return text;
  }

  async status(): Promise<LabStatus> {
    const st = this.state();
    if (!st) return { dataDir: this.paths.root, up: false, machines: [], services: [] };
    return this.statusOf(st);
  }

  private async statusOf(st: VlabState): Promise<LabStatus> {
    const pw = this.paths.secret('bmc-password');
    const svc = (key: string): ServiceStatus['state'] | undefined => {
      const rec = st.processes[key];
      if (!rec) return undefined;
      if (!isAlive(rec)) return 'dead';
      return isStopped(rec.pid) ? 'silent' : 'running';
    };
    const machines: MachineStatus[] = [];
    for (const m of MACHINES) {
      const dir = this.paths.machine(m.name);
      const bmcKey = m.mgmt === 'hmc' ? 'hmc' : `bmc:${m.name}`;
      const bmc = svc(bmcKey) ?? 'not started';
      const qpid = Number(readOr(path.join(dir, 'qemu.pid'), '0'));
      const qemuAlive = qpid > 0 && isAlive({ pid: qpid, argv: [profileOf(m).qemu], startedAt: '', log: '' });
      const lastPower = readOr(path.join(dir, 'power.log'), '').trim().split('\n').pop() ?? '';
      const crashed = !qemuAlive && /qemu exited with|crash/.test(lastPower);
      let power: MachineStatus['power'] = 'unknown';
      if (m.mgmt === 'ipmi' && bmc === 'running') power = await powerStatus(st.ports[m.name].ipmi, pw);
      else if (m.mgmt === 'hmc' && bmc === 'running') power = qemuAlive ? 'on' : 'off';
      machines.push({
        name: m.name, arch: m.arch, mgmt: m.mgmt, power, qemu: qemuAlive ? 'running' : crashed ? 'crashed' : 'not running',
        bmc, fault: st.faults[m.name] ?? 'none', detail: lastPower.replace(/^\S+ /, ''), ports: st.ports[m.name] ?? {},
      });
    }
    const services: ServiceStatus[] = Object.entries(st.processes).map(([k, rec]) => ({ name: k, state: svc(k)!, pid: rec.pid }));
    return { dataDir: this.paths.root, up: !!st.upAt, machines, services };
  }
}

function readOr(file: string, dflt: string): string {
  try { return fs.readFileSync(file, 'utf8'); } catch { return dflt; }
}
