import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../cli-error';
import { VlabError } from '../../../vlab/src/exec';
import { Vlab, LabStatus } from '../../../vlab/src/lab';
import { machineByName, MACHINES } from '../../../vlab/src/machines';
import { defaultDataDir } from '../../../vlab/src/paths';
import { FAULTS, Fault } from '../../../vlab/src/vlab-state';
import { conserverClientArgv } from '../../../vlab/src/console-servers';
import { LPAR_NAME } from '../../../vlab/src/inventory-writer';
import { HMC_CPC } from '../../../vlab/src/machines';

/*
 * `pfnlab vlab up|down|status|console|inventory|fault`: the virtual lab
 * (QEMU machines of all four arches behind ipmi_sim, Redfish, an HMC
 * emulation and real console servers). See deploy/vlab/README.md.
 */

async function wrap<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof VlabError) throw new CliError(e.message, ExitCode.failure, e.hint);
    throw e;
  }
}

const lab = () => new Vlab(defaultDataDir());
const out = (s: string) => process.stdout.write(s);

function printStatus(s: LabStatus): void {
  out(`vlab ${s.up ? 'up' : 'down'} (${s.dataDir})\n`);
  for (const m of s.machines) {
    out(`  ${m.name.padEnd(12)} ${m.arch.padEnd(8)} power=${m.power.padEnd(7)} qemu=${m.qemu.padEnd(11)} ${m.mgmt}=${m.bmc}` +
      `${m.fault !== 'none' ? ` fault=${m.fault}` : ''}  ssh=127.0.0.1:${m.ports.ssh ?? '-'}${m.ports.ipmi ? ` ipmi=udp/${m.ports.ipmi}` : ''}\n`);
    if (m.qemu === 'crashed') out(`    last power event: ${m.detail}\n`);
  }
  for (const v of s.services) out(`  service ${v.name.padEnd(16)} ${v.state} (pid ${v.pid})\n`);
}

export function registerVlab(program: Command): void {
  const vlab = program.command('vlab').description('the virtual lab: QEMU machines behind real BMC/HMC-style interfaces (data dir: $PFNLAB_VLAB_DIR)');

  vlab.command('up')
    .description('prepare images if needed, start BMCs, emulators and console servers, power the machines on (idempotent)')
    .option('--no-power-on', 'leave the machines powered off')
    .option('--json', 'print the status as JSON')
    .action((o: { powerOn: boolean; json?: boolean }) => wrap(async () => {
      const s = await lab().up({ powerOn: o.powerOn, log: (m) => process.stderr.write(`vlab: ${m}\n`) });
      if (o.json) out(JSON.stringify(s, null, 2) + '\n');
      else { printStatus(s); out(`inventory: ${path.join(s.dataDir, 'inventory.yaml')}\n`); }
    }));

  vlab.command('down')
    .description('stop every process of the lab (also after a crashed `vlab up`)')
    .action(() => wrap(async () => {
      const r = await lab().down();
      out(`vlab down: ${r.stopped} service(s) stopped${r.leftovers ? `, ${r.leftovers} leftover process(es) killed` : ''}\n`);
    }));

  vlab.command('status')
    .description('power, QEMU and BMC state of each machine; reports crashed QEMUs and dead BMCs')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => wrap(async () => {
      const s = await lab().status();
      if (o.json) out(JSON.stringify(s, null, 2) + '\n');
      else printStatus(s);
      const bad = s.machines.some((m) => m.qemu === 'crashed' || m.bmc === 'dead') || s.services.some((v) => v.state === 'dead');
      if (s.up && bad) process.exitCode = ExitCode.failure;
    }));

  vlab.command('inventory')
    .description('print (and write to the data dir) the lab inventory in the agent\'s format')
    .option('--json', 'print JSON instead of YAML')
    .option('--redfish', 'power x86-01 through its Redfish service instead of IPMI')
    .option('--console-servers', 'use the console servers (conserver for x86-01, ser2net telnet for tx2-01) instead of SOL')
    .option('--boot <machine=method...>', 'boot method per machine (default netboot): kexec (all), petitboot (p9-01), grub-oneshot (x86-01), zipl (z15-lpar-01)')
    .option('-o, --output <file>', 'write to this file as well')
    .action((o: { json?: boolean; redfish?: boolean; consoleServers?: boolean; boot?: string[]; output?: string }) => wrap(async () => {
      const l = lab();
      const st = l.state();
      if (!st) throw new CliError('the vlab is not set up', ExitCode.failure, 'run `pfnlab vlab up` first');
      const { parseBootChoices } = await import('../../../vlab/src/inventory-writer');
      const opts = { redfish: o.redfish, consoleServers: o.consoleServers, boot: parseBootChoices(o.boot ?? []) };
      const text = l.writeInventory(st, opts);
      if (o.output) fs.writeFileSync(o.output, text);
      if (o.json) {
        const { buildInventory } = await import('../../../vlab/src/inventory-writer');
        out(JSON.stringify(buildInventory(l.paths, st, opts), null, 2) + '\n');
      } else out(text);
    }));

  vlab.command('fault')
    .description(`inject a fault into a machine: ${FAULTS.join('|')} ("none" or "clear" removes it)`)
    .argument('<machine>', `one of ${MACHINES.map((m) => m.name).join(', ')}`)
    .argument('<fault>', `${FAULTS.filter((f) => f !== 'none').join('|')}|clear`)
    .action((name: string, fault: string) => wrap(async () => {
      const f = (fault === 'clear' ? 'none' : fault) as Fault;
      if (!FAULTS.includes(f)) throw new CliError(`unknown fault "${fault}"`, ExitCode.usage, `use one of ${FAULTS.filter((x) => x !== 'none').join(', ')} or clear`);
      if (!machineByName(name)) throw new CliError(`no vlab machine "${name}"`, ExitCode.usage, `machines: ${MACHINES.map((m) => m.name).join(', ')}`);
      await lab().setFault(name, f);
      out(`${name}: fault ${f}${f === 'console-drop' ? ' (takes effect at the next power-on)' : ''}\n`);
    }));

  vlab.command('console')
    .description('attach to a machine\'s console: SOL (ipmitool), the HMC OS messages, or a console server')
    .argument('<machine>')
    .option('--read-only', 'follow the console log without attaching (does not disturb SOL)')
    .option('--via <server>', 'attach through the console server in front of it (conserver|ser2net)')
    .action((name: string, o: { readOnly?: boolean; via?: string }) => wrap(async () => {
      const m = machineByName(name);
      if (!m) throw new CliError(`no vlab machine "${name}"`, ExitCode.usage, `machines: ${MACHINES.map((x) => x.name).join(', ')}`);
      const l = lab();
      const st = l.state();
      if (!st) throw new CliError('the vlab is not set up', ExitCode.failure, 'run `pfnlab vlab up` first');
      let argv: string[];
      if (o.readOnly) {
        argv = ['tail', '-n', '50', '-F', path.join(l.paths.machine(name), 'console.log')];
      } else if (o.via) {
        if (o.via !== m.consoleServer) throw new CliError(`${name} has no ${o.via} in front of it`, ExitCode.usage, m.consoleServer ? `use --via ${m.consoleServer}` : 'attach without --via');
        argv = o.via === 'conserver' ? conserverClientArgv(st.ports.lab.conserver, name, false) : ['telnet', '127.0.0.1', String(st.ports[name].consoleServer)];
      } else if (m.mgmt === 'ipmi') {
        out('(SOL: type ~. to leave)\n');
        argv = ['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(st.ports[name].ipmi), '-U', 'admin', '-f', l.paths.secret('bmc-password'), 'sol', 'activate'];
      } else {
        return hmcConsole(l, st);
      }
      await new Promise<void>((resolve) => spawn(argv[0], argv.slice(1), { stdio: 'inherit' }).on('exit', () => resolve()).on('error', () => resolve()));
    }));
}

/** The LPAR's OS messages: print new ones, send typed lines with send-os-cmd. Ctrl-D leaves. */
async function hmcConsole(l: Vlab, st: NonNullable<ReturnType<Vlab['state']>>): Promise<void> {
  const c = l.hmcClient(st);
  await c.logon();
  const uri = await c.lparUri(HMC_CPC, LPAR_NAME);
  let next = 0;
  let done = false;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    for (const line of d.split('\n').slice(0, -1)) void c.request('POST', `${uri}/operations/send-os-cmd`, { 'operating-system-command-text': line, 'is-priority-command': false });
  });
  process.stdin.on('end', () => (done = true));
  out('(HMC operating system messages: lines you type are sent with send-os-cmd; Ctrl-D leaves)\n');
  while (!done) {
    const r = await c.request('GET', `${uri}/operations/list-os-messages?begin-sequence-number=${next}`);
    for (const msg of r.body?.['os-messages'] ?? []) { out(msg['message-text'] + '\n'); next = msg['sequence-number'] + 1; }
    await new Promise((res) => setTimeout(res, 500));
  }
  await c.logoff();
}
