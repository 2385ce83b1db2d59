import { InventoryMachineSchema } from '@pfnlab/contracts';
import { createDrivers, DriverConfigError } from './drivers';
import { IpmiPowerDriver } from './power/ipmi-power-driver';
import { SecretResolver } from './secrets/secret-resolver';

const base = {
  name: 'm1', arch: 'arm64', platform: 'thunderx2', memoryMiB: 1024,
  power: { driver: 'ipmi', host: '10.0.0.5', username: 'admin', passwordRef: 'env:BMC_PW' },
  console: { driver: 'ipmi-sol' },
  boot: { method: 'netboot', stagingDir: '/srv/tftp/m1/next', consoleParams: ['console=ttyAMA0'] },
};
const machine = (over: Record<string, unknown>) => InventoryMachineSchema.parse({ ...base, ...over });
const secrets = new SecretResolver({});

describe('createDrivers', () => {
  it('picks the drivers the inventory names', () => {
    const d = createDrivers(machine({}), secrets);
    expect([d.power.describe, d.console.describe, d.boot.describe]).toEqual(['ipmi 10.0.0.5:623', 'ipmi-sol 10.0.0.5:623', 'netboot /srv/tftp/m1/next']);
    const hmc = createDrivers(machine({
      arch: 's390x', platform: 'z15-lpar', console: { driver: 'hmc' },
      power: { driver: 'hmc', baseUrl: 'https://hmc.lab:6794', username: 'pfnlab', passwordRef: 'env:HMC_PW', cpc: 'Z15A', lpar: 'LP01', loadAddress: '0.0.1234' },
    }), secrets);
    expect([hmc.power.describe, hmc.console.describe]).toEqual(['hmc hmc.lab:6794 Z15A/LP01', 'hmc-os-messages hmc.lab:6794 Z15A/LP01']);
    const rf = createDrivers(machine({
      power: { driver: 'redfish', baseUrl: 'https://bmc.lab', systemId: 'Self', username: 'root', passwordRef: 'env:RF_PW' },
      console: { driver: 'telnet', host: 'cs1.lab', port: 7001 },
    }), secrets);
    expect([rf.power.describe, rf.console.describe]).toEqual(['redfish bmc.lab Self', 'telnet cs1.lab:7001']);
    expect(createDrivers(machine({ console: { driver: 'tcp', host: 'cs1.lab', port: 7002 } }), secrets).console.describe).toBe('tcp cs1.lab:7002');
    expect(createDrivers(machine({ console: { driver: 'conserver', host: 'cs.lab', name: 'm1' } }), secrets).console.describe).toBe('conserver cs.lab:782 m1');
  });

  it('keeps the BMC password off ipmitool\'s argv (it travels in IPMI_PASSWORD with -E)', () => {
    const d = createDrivers(machine({}), new SecretResolver({ BMC_PW: 's3cret-pw' }));
    const ipmi = d.power as IpmiPowerDriver;
    expect(ipmi.baseArgv()).toEqual(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '10.0.0.5', '-p', '623', '-U', 'admin', '-E', '-N', '1', '-R', '2']);
    expect(ipmi.baseArgv().join(' ')).not.toContain('s3cret-pw');
    expect(ipmi.passwordEnv()).toEqual({ IPMI_PASSWORD: 's3cret-pw' });
  });

  it('names the machine and the field for combinations it cannot serve', () => {
    const hmcPower = { driver: 'hmc', baseUrl: 'https://hmc.lab', username: 'u', passwordRef: 'env:X', cpc: 'C', lpar: 'L', loadAddress: '1234' };
    expect(() => createDrivers(machine({ power: hmcPower }), secrets)).toThrow(new DriverConfigError('machine m1: console.driver: ipmi-sol needs power.driver ipmi (it reuses the BMC settings), not hmc'));
    expect(() => createDrivers(machine({ console: { driver: 'hmc' } }), secrets)).toThrow(/machine m1: console\.driver: hmc needs power\.driver hmc/);
    expect(() => createDrivers(machine({ boot: { method: 'kexec' } }), secrets)).toThrow(/machine m1: ssh: kexec boots from the machine's running OS and needs its ssh settings/);
    expect(() => createDrivers(machine({ boot: { method: 'direct' } }), secrets)).toThrow(/machine m1: boot\.method: direct is not implemented/);
    expect(() => createDrivers(machine({ boot: { method: 'netboot' } }), secrets)).toThrow(/machine m1: boot\.stagingDir: netboot needs/);
    expect(createDrivers(machine({ console: { driver: 'ssh-console', host: 'cs', username: 'u', privateKeyRef: 'env:K' } }), secrets).console.describe).toBe('ssh-console u@cs:22');
  });
});
