import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { JobSpecInput } from '@pfnlab/contracts';
import { prepareKernelTree } from '../builds/helpers';
import { E2eStack } from './e2e-stack';

/*
 * A job that names a tree, a ref, patches and a config instead of an image:
 * the agent (builder role) builds the kernel in the run's deploy step, the
 * build is recorded through the API, the built kernel boots on tx2-01
 * (arm64, IPMI netboot) with the vlab's initramfs, and an identical job
 * reuses the stored build instead of building again.
 */

// tinyconfig + what the vlab's arm64 virt machine needs to reach user space (notes/vlab-feasibility.md, small-arm64).
const ARM64_SMALL = [
  'PRINTK', 'PRINTK_TIME', 'BLK_DEV_INITRD', 'RD_GZIP', 'DEVTMPFS', 'DEVTMPFS_MOUNT', 'TTY', 'ARM_AMBA', 'SERIAL_AMBA_PL011',
  'SERIAL_AMBA_PL011_CONSOLE', 'SERIAL_EARLYCON', 'BINFMT_ELF', 'BINFMT_SCRIPT', 'PROC_FS', 'SYSFS', 'MULTIUSER', 'FUTEX', 'EPOLL',
  'SHMEM', 'TMPFS', 'SMP', 'PCI', 'PCI_HOST_GENERIC', 'COMPACTION', 'MIGRATION', 'MEMORY_HOTPLUG', 'MEMORY_HOTREMOVE', 'SPARSEMEM_VMEMMAP',
].map((o) => `CONFIG_${o}=y`);
// The same for x86-01 (q35, 8250 UARTs): small-x86 of the notes.
const X86_SMALL = [
  '64BIT', 'PRINTK', 'EARLY_PRINTK', 'BLK_DEV_INITRD', 'RD_GZIP', 'DEVTMPFS', 'DEVTMPFS_MOUNT', 'TTY', 'SERIAL_8250', 'SERIAL_8250_CONSOLE',
  'BINFMT_ELF', 'BINFMT_SCRIPT', 'PROC_FS', 'SYSFS', 'MULTIUSER', 'FUTEX', 'EPOLL', 'SIGNALFD', 'TIMERFD', 'SHMEM', 'TMPFS', 'SMP', 'PCI', 'ACPI',
  'MEMORY_HOTPLUG', 'MEMORY_HOTREMOVE', 'MIGRATION', 'SPARSEMEM_VMEMMAP', 'ZONE_DEVICE', 'PRINTK_TIME',
].map((o) => `CONFIG_${o}=y`);

interface BuildView {
  id: string;
  status: string;
  title: string;
  reused: boolean;
  commit: string | null;
  contentHash: string | null;
  sizeDelta: { total: { delta: number }; changes: Array<{ name: string; delta: number }> } | null;
  errors: Array<{ title: string; file?: string; line?: number }>;
}

describe('a job that builds its kernel, then boots it (server, agent with the builder role, virtual lab)', () => {
  const storeDir = mkdtempSync(join(tmpdir(), 'pfnlab-artifacts-'));
  const stack = new E2eStack('/tmp/pfnlab-vlab-build', 20500, {
    PFNLAB_AGENT_BUILDER: '1',
    PFNLAB_ARTIFACT_STORE: `file://${storeDir}`,
    PFNLAB_AGENT_PATCH_DIR: join(__dirname, '..', 'builds', 'fixtures'),
  });
  let tree = '';

  const buildJob = (patches: string[] = []): JobSpecInput => {
    const d = stack.lab.defaultBoot('tx2-01');
    return {
      name: 'e2e built kernel',
      kernel: { tree, ref: 'v6.1-debian', patches, config: { base: 'tinyconfig', fragments: ARM64_SMALL }, initrd: d.initrd },
      arch: 'arm64',
      target: { machine: 'tx2-01' },
      boot: { timeouts: { boot: 180, recover: 180 } },
    };
  };
  const buildOf = async (runId: string): Promise<BuildView> => {
    const run = await (await stack.server.api(`/api/runs/${runId}`)).json();
    expect(run.buildId).toMatch(/^[0-9a-f-]{36}$/);
    return (await stack.server.api(`/api/builds/${run.buildId}`)).json();
  };

  beforeAll(async () => {
    tree = prepareKernelTree();
    await stack.start();
  }, 900_000);
  afterAll(async () => {
    await stack.stop();
    rmSync(storeDir, { recursive: true, force: true });
  }, 120_000);

  it('x86_64: builds a small kernel (tinyconfig + console, initrd, hotplug options) and boots it on x86-01: PASS', async () => {
    const d = stack.lab.defaultBoot('x86-01');
    const id = await stack.submit({
      name: 'e2e built x86 kernel',
      kernel: { tree, ref: 'v6.1-debian', config: { base: 'tinyconfig', fragments: X86_SMALL }, initrd: d.initrd },
      arch: 'x86_64',
      target: { machine: 'x86-01' },
      boot: { timeouts: { boot: 180, recover: 180 } },
    });
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 1_500_000);
    expect({ verdict: run.verdict, reason: run.verdictReason }).toEqual({ verdict: 'PASS', reason: 'booted to user space' });
    const b = await buildOf(run.id);
    expect(b).toMatchObject({ status: 'PASS', reused: false });
    const files = (await (await stack.server.api(`/api/builds/${b.id}/artifacts`)).json()).files.map((f: { name: string }) => f.name);
    expect(files).toEqual(expect.arrayContaining(['bzImage', 'vmlinux', 'System.map', '.config', 'build.log', 'metadata.json']));
    const log = await (await stack.server.api(`/api/runs/${run.id}/console`)).text();
    expect(log).toMatch(/Linux version 6\.1\.\d+\+? \(pfnlab@pfnlab\)/);
    expect(log).toContain('VLAB-READY');
  }, 1_800_000);

  it('arm64: builds the kernel in the deploy step and boots it on tx2-01: PASS, with the build recorded', async () => {
    const id = await stack.submit(buildJob());
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 1_500_000);
    expect({ verdict: run.verdict, reason: run.verdictReason }).toEqual({ verdict: 'PASS', reason: 'booted to user space' });
    const b = await buildOf(run.id);
    expect(b).toMatchObject({ status: 'PASS', reused: false });
    expect(b.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const files = (await (await stack.server.api(`/api/builds/${b.id}/artifacts`)).json()).files.map((f: { name: string }) => f.name);
    expect(files).toEqual(expect.arrayContaining(['Image', 'Image.gz', 'vmlinux', 'System.map', '.config', 'build.log', 'metadata.json']));
    // The console shows the kernel this run built (6.1 from the tree, built by pfnlab's builder), not the machine's Debian kernel.
    const log = await (await stack.server.api(`/api/runs/${run.id}/console`)).text();
    expect(log).toMatch(/Linux version 6\.1\.\d+\+? \(pfnlab@pfnlab\)/);
    expect(log).not.toMatch(/Linux version 6\.1\.0-\d+-arm64/);
    expect(log).toContain('VLAB-READY');
  }, 1_800_000);

  it('an identical job reuses the stored build instead of building again', async () => {
    const id = await stack.submit(buildJob());
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 600_000);
    expect(run.verdict).toBe('PASS');
    const b = await buildOf(run.id);
    expect(b).toMatchObject({ status: 'PASS', reused: true });
    expect(b.title).toMatch(/^reused Image for arm64/);
  }, 900_000);

  it('a patch on top is built, boots, and shows its size delta against the stored base build', async () => {
    const id = await stack.submit(buildJob(['0001-grow-the-kernel.patch']));
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 1_200_000);
    expect(run.verdict).toBe('PASS');
    const b = await buildOf(run.id);
    expect(b).toMatchObject({ status: 'PASS', reused: false });
    expect(b.sizeDelta?.changes).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'pfnlab_size_probe' })]));
    expect(b.sizeDelta!.total.delta).toBeGreaterThan(0);
  }, 1_500_000);

  it('a patch that breaks compilation is FAIL in the deploy step with the compiler error, and the machine is never powered', async () => {
    const id = await stack.submit(buildJob(['0001-break-compile.patch']));
    const run = await stack.waitRun(id, (r) => r.state === 'finished', 1_200_000);
    expect({ verdict: run.verdict, step: run.failedStep }).toEqual({ verdict: 'FAIL', step: 'deploy' });
    expect(run.verdictReason).toMatch(/^build FAIL: init\/main\.c:\d+: error: expected expression before ';' token$/);
    expect(run.steps.map((s) => s.name)).not.toContain('power');
    const b = await buildOf(run.id);
    expect(b.status).toBe('FAIL');
    expect(b.errors[0]).toMatchObject({ file: 'init/main.c' });
    // make -j goes on in other directories after the error: the whole log has the error and make giving up.
    const log = await (await stack.server.api(`/api/builds/${b.id}/log`)).text();
    // gcc quotes with ‘’ in a UTF-8 locale (a ccache hit replays the stderr of the first compile).
    expect(log).toMatch(/init\/main\.c:\d+:\d+: error: expected expression before ['‘];['’] token/);
    expect(log).toMatch(/\*\*\* \[.*\] Error \d/);
    // The builder appends the failure summary last, so a short tail is what a person needs first.
    const tail = (await (await stack.server.api(`/api/builds/${b.id}/log?tail=10`)).text()).trimEnd().split('\n');
    expect(tail.length).toBeLessThanOrEqual(10);
    expect(tail.join('\n')).toMatch(/^# FAIL: init\/main\.c:\d+: error: expected expression before ';' token$/m);
  }, 1_500_000);
});
