import type { InventoryMachine } from '@pfnlab/contracts';
import type { BootMethod } from './boot/boot-method';
import { GrubOneshotBoot } from './boot/grub-oneshot-boot';
import { KexecBoot } from './boot/kexec-boot';
import { NetbootStaging } from './boot/netboot-staging';
import { ZiplReiplBoot } from './boot/zipl-reipl-boot';
import { ConserverConsole, type ConserverOptions } from './console/conserver-console';
import type { ConsoleDriver } from './console/console-driver';
import { HmcConsole, type HmcConsoleOptions } from './console/hmc-console';
import { IpmiSolConsole, type IpmiSolOptions } from './console/ipmi-sol-console';
import { ReconnectingConsole } from './console/reconnecting-console';
import { SshConsole } from './console/ssh-console';
import { TcpConsole } from './console/tcp-console';
import { TelnetConsole } from './console/telnet-console';
import { HmcApiSession, type HmcSessionOptions } from './hmc/hmc-api-session';
import { HmcPowerDriver, type HmcPowerOptions } from './power/hmc-power-driver';
import { IpmiPowerDriver, type IpmiPowerOptions } from './power/ipmi-power-driver';
import type { PowerDriver } from './power/power-driver';
import { RedfishPowerDriver, type RedfishPowerOptions } from './power/redfish-power-driver';
import type { SecretResolver } from './secrets/secret-resolver';
import { sshTargetOf } from './ssh/ssh-target';

export class DriverConfigError extends Error {}

export interface MachineDrivers {
  power: PowerDriver;
  console: ConsoleDriver;
  boot: BootMethod;
}

/** Timeouts and a log sink; the defaults suit real machines. */
export interface DriverOptions {
  ipmi?: IpmiPowerOptions;
  sol?: IpmiSolOptions;
  hmc?: HmcSessionOptions & HmcPowerOptions;
  hmcConsole?: HmcConsoleOptions;
  redfish?: RedfishPowerOptions;
  conserver?: ConserverOptions;
  /** Notes for the run log (re-logons, failed console input); never secrets. */
  log?: (message: string) => void;
}

/**
 * The drivers of one inventory machine. Consoles that ride on the power
 * controller reuse its settings: ipmi-sol the ipmi BMC, the hmc console the
 * hmc session (one logon for both). Secrets are resolved when a driver
 * needs them, so a missing one fails that operation with a message naming
 * the reference, not the whole agent at start.
 */
export function createDrivers(machine: InventoryMachine, secrets: SecretResolver, o: DriverOptions = {}): MachineDrivers {
  const unsupported = (field: string, why: string) => new DriverConfigError(`machine ${machine.name}: ${field}: ${why}`);
  const p = machine.power;
  let power: PowerDriver;
  let ipmi: IpmiPowerDriver | undefined;
  let hmc: HmcApiSession | undefined;
  switch (p.driver) {
    case 'ipmi':
      power = ipmi = new IpmiPowerDriver(
        { host: p.host, port: p.port, username: p.username, passwordRef: p.passwordRef, cipherSuite: p.cipherSuite },
        () => secrets.resolve(p.passwordRef),
        o.ipmi,
      );
      break;
    case 'redfish':
      power = new RedfishPowerDriver(
        { baseUrl: p.baseUrl, systemId: p.systemId, username: p.username, passwordRef: p.passwordRef, certSha256: p.certSha256 },
        () => secrets.resolve(p.passwordRef),
        o.redfish,
      );
      break;
    case 'hmc':
      hmc = new HmcApiSession(
        { baseUrl: p.baseUrl, username: p.username, passwordRef: p.passwordRef, cpc: p.cpc, lpar: p.lpar, certSha256: p.certSha256 },
        () => secrets.resolve(p.passwordRef),
        { ...o.hmc, log: o.hmc?.log ?? o.log },
      );
      power = new HmcPowerDriver(hmc, { loadAddress: p.loadAddress, loadParameter: p.loadParameter }, o.hmc);
      break;
  }

  const c = machine.console;
  let console: ConsoleDriver;
  switch (c.driver) {
    case 'ipmi-sol':
      if (!ipmi) throw unsupported('console.driver', `ipmi-sol needs power.driver ipmi (it reuses the BMC settings), not ${p.driver}`);
      console = new IpmiSolConsole(ipmi, c.instance, o.sol);
      break;
    case 'hmc':
      if (!hmc) throw unsupported('console.driver', `hmc needs power.driver hmc (it reuses the HMC session), not ${p.driver}`);
      console = new HmcConsole(hmc, { ...o.hmcConsole, log: o.hmcConsole?.log ?? o.log });
      break;
    // Network consoles are reopened when the server drops them (see ReconnectingConsole).
    case 'tcp':
      console = new ReconnectingConsole(new TcpConsole(c.host, c.port));
      break;
    case 'telnet':
      console = new ReconnectingConsole(new TelnetConsole(c.host, c.port));
      break;
    case 'conserver': {
      const ref = c.passwordRef;
      console = new ReconnectingConsole(new ConserverConsole({ host: c.host, port: c.port, name: c.name, username: c.username }, ref ? () => secrets.resolve(ref) : undefined, o.conserver));
      break;
    }
    case 'ssh-console':
      console = new ReconnectingConsole(
        new SshConsole(
          { host: c.host, port: c.port, username: c.username, privateKeyRef: c.privateKeyRef, passwordRef: c.passwordRef, hostKeySha256: c.hostKeySha256, command: c.command },
          (ref) => secrets.resolve(ref),
          { log: o.log },
        ),
      );
      break;
  }

  const b = machine.boot;
  let boot: BootMethod;
  switch (b.method) {
    case 'netboot':
      if (!b.stagingDir) throw unsupported('boot.stagingDir', 'netboot needs the directory the firmware reads (e.g. .../boot/next)');
      boot = new NetbootStaging(b.stagingDir, b.consoleParams, b.earlyconParams);
      break;
    case 'kexec':
    case 'petitboot':
    case 'grub-oneshot':
    case 'zipl': {
      const ssh = machine.ssh;
      if (!ssh) throw unsupported('ssh', `${b.method} boots from the machine's running OS and needs its ssh settings`);
      const target = () => sshTargetOf(ssh, secrets);
      const common = { consoleParams: b.consoleParams, earlyconParams: b.earlyconParams };
      if (b.method === 'grub-oneshot') boot = new GrubOneshotBoot(target, { ...common, remoteDir: b.remoteDir ?? '/boot/pfnlab', grubDir: b.grubDir, grubRootDir: b.grubRootDir });
      else if (b.method === 'zipl') boot = new ZiplReiplBoot(target, { ...common, remoteDir: b.remoteDir ?? '/boot/pfnlab', reiplDevice: b.reiplDevice!, knownGoodReiplDevice: b.knownGoodReiplDevice });
      // RAM, not disk: a kexec image is read once and the machine's disks stay as they are.
      else boot = new KexecBoot(target, { ...common, remoteDir: b.remoteDir ?? '/run/pfnlab' }, b.method);
      break;
    }
    default:
      throw unsupported('boot.method', `${b.method} is not implemented; use netboot, kexec, petitboot, grub-oneshot or zipl`);
  }
  return { power, console, boot };
}
