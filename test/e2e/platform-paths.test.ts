import type { Inventory, InventoryMachine } from '@pfnlab/contracts';
import { createDrivers, SecretResolver, SshSession, sshTargetOf } from '@pfnlab/machines';
import { sleep } from '../machines/vlab-fixture';
import { E2eStack, type RunView } from './e2e-stack';

/**
 * Every platform path through the API, against the real tools in the
 * virtual lab: x86-01 powered by Redfish, its console through conserver,
 * its test kernels booted by a grub-reboot one-shot entry (and later by
 * kexec); tx2-01 by kexec from its running OS; p9-01 by petitboot-style
 * kexec; z15-lpar-01 through the HMC API, booted by zipl + chreipl.
 */

/** The vlab inventory with some machines taken from another variant of it (flags). */
function mix(base: Inventory, from: Inventory, names: string[]): Inventory {
  return { ...base, machines: base.machines.map((m) => (names.includes(m.name) ? from.machines.find((x) => x.name === m.name)! : m)) };
}

/** Runs a command on a machine's running OS, as an operator would check it. */
async function onMachine(m: InventoryMachine, argv: string[]): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      const s = await SshSession.connect({ ...sshTargetOf(m.ssh!, new SecretResolver()), connectTimeoutMs: 5000 });
      try {
        return (await s.exec(argv, { timeoutMs: 20_000 })).stdout;
      } finally {
        s.close();
      }
    } catch (e) {
      if (i > 90) throw e;
      await sleep(2000);
    }
  }
}

describe('platform paths end to end (Redfish, conserver, HMC; kexec, petitboot, grub one-shot, zipl)', () => {
  const stack = new E2eStack('/tmp/pfnlab-vlab-paths', 20300);
  const byName = (name: string) => stack.inventory.machines.find((m) => m.name === name)!;

  beforeAll(async () => {
    await stack.start((plain) => {
      const boot = ['--boot', 'x86-01=grub-oneshot,tx2-01=kexec,p9-01=petitboot,z15-lpar-01=zipl'];
      return mix(stack.lab.inventory(boot), stack.lab.inventory(['--redfish', '--console-servers', ...boot]), ['x86-01']);
    });
  }, 600_000);
  afterAll(async () => stack.stop(), 120_000);

  const expectTestKernelBooted = async (run: RunView) => {
    expect({ machine: run.machine, verdict: run.verdict, reason: run.verdictReason }).toEqual({ machine: run.machine, verdict: 'PASS', reason: 'booted to user space' });
    expect(run.steps.map((s) => `${s.name}:${s.state}`)).toEqual(['reserve:ok', 'console:ok', 'deploy:ok', 'power:ok', 'boot:ok', 'test:skipped', 'collect:skipped', 'recover:skipped', 'release:ok']);
    const names = run.milestones.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['linux-version', 'userspace-ready']));
    // The run's own parameter reached the kernel: the test kernel booted, not the known-good one.
    const log = await (await stack.server.api(`/api/runs/${run.id}/console`)).text();
    expect(log).toMatch(new RegExp(`(Command line|Kernel command line):.*pfnlab\\.run=${run.id}`));
    return log;
  };

  it('each machine boots its test kernel through its own path: PASS', async () => {
    const machines = ['x86-01', 'tx2-01', 'p9-01', 'z15-lpar-01'];
    const jobs = await Promise.all(machines.map(async (m) => [m, await stack.submit(stack.bootJob(m, { boot: { cmdline: [], timeouts: { boot: 400, recover: 400 } } }))] as const));
    for (const [machine, id] of jobs) {
      const run = await stack.waitRun(id, (r) => r.state === 'finished', 900_000);
      const log = await expectTestKernelBooted(run);
      if (machine === 'x86-01') {
        // GRUB on the machine's own console (conserver) booted the generated entry once.
        expect(log).toContain("Booting `pfnlab test kernel (one boot)'");
        expect(byName('x86-01').power.driver).toBe('redfish');
      }
      if (machine === 'z15-lpar-01') expect(log).toMatch(/LOADPARM|Using virtio-blk/);
    }
    // grub-reboot was one-shot: the test kernel is up, and next_entry is gone already.
    expect(await onMachine(byName('x86-01'), ['grub-editenv', '/boot/grub/grubenv', 'list'])).not.toMatch(/next_entry=\S/);
  }, 1_500_000);

  it('no method changes the default: a power cycle brings back the known-good kernel', async () => {
    for (const name of ['x86-01', 'tx2-01']) {
      const power = createDrivers(byName(name), new SecretResolver()).power;
      await power.cycle();
    }
    await sleep(5000);
    for (const name of ['x86-01', 'tx2-01']) {
      const cmdline = await onMachine(byName(name), ['cat', '/proc/cmdline']);
      expect(cmdline).not.toMatch(/pfnlab\.run=/);
      expect(cmdline).toContain(`vlab.name=${name}`);
    }
  }, 600_000);

  it('kexec -l rejecting the image is ERROR in deploy naming kexec; the machine stays usable', async () => {
    const job = stack.bootJob('tx2-01');
    // An initramfs is not a kernel: kexec-tools refuses it.
    job.kernel = { image: stack.lab.defaultBoot('tx2-01').initrd };
    const id = await stack.submit(job);
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 600_000);
    expect({ verdict: run.verdict, step: run.failedStep }).toEqual({ verdict: 'ERROR', step: 'deploy' });
    expect(run.verdictReason).toMatch(/kexec -l rejected the image/);
    expect(run.steps.find((s) => s.name === 'recover')?.state).toBe('ok');
  }, 900_000);

  it('a kexec\'d kernel that hangs: FAIL by silence, recovered by a power cycle to the known-good kernel', async () => {
    const id = await stack.submit(stack.bootJob('tx2-01', { boot: { cmdline: ['loglevel=0', 'vlab.silent'], silenceSeconds: 20, timeouts: { boot: 400, recover: 400 } } }));
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 900_000);
    expect({ verdict: run.verdict, step: run.failedStep }).toEqual({ verdict: 'FAIL', step: 'boot' });
    expect(run.steps.find((s) => s.name === 'recover')?.state).toBe('ok');
    expect(await onMachine(byName('tx2-01'), ['cat', '/proc/cmdline'])).not.toMatch(/pfnlab\.run=/);
  }, 900_000);

  it('x86-01 by kexec from its running OS (the inventory changed, the agent restarted)', async () => {
    await stack.useInventory(mix(stack.inventory, stack.lab.inventory(['--redfish', '--console-servers', '--boot', 'x86-01=kexec']), ['x86-01']));
    const id = await stack.submit(stack.bootJob('x86-01', { boot: { cmdline: [], timeouts: { boot: 400, recover: 400 } } }));
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 900_000);
    const log = await expectTestKernelBooted(run);
    // No firmware between the two kernels: GRUB does not show up after the hand-over.
    expect(log.slice(log.lastIndexOf('kexec'))).not.toContain('Booting `');
  }, 900_000);
});
