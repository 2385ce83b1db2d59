import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stepTimeouts, type InventoryMachine, type RunDispatch, type RunStep, type Verdict } from '@pfnlab/contracts';
import { createDrivers, SecretResolver, SshSession, sshTargetOf, waitForSsh, type BootArtifacts, type ConsoleConnection } from '@pfnlab/machines';
import { BootWatch, type BootOutcome } from './boot-watch';
import { BuildStop } from './build/build-types';
import type { RunKernelBuilder } from './build/run-kernel-builder';
import { PayloadRunner } from './payload/payload-runner';
import { ConsoleSpool } from './console-spool';
import { RunReporter } from './run-reporter';
import { runStep, StepFailure } from './run-steps';
import type { ServerLink } from './server-link';

export interface ExecutorDeps {
  redis: Redis;
  prefix: string;
  stateDir: string;
  link: ServerLink;
  /** Builds the kernels of jobs with a `kernel:` source section; absent on agents without the builder role. */
  builder?: RunKernelBuilder;
}

interface Verdicts {
  verdict: Verdict;
  reason: string;
  failedStep: RunStep | null;
}

/**
 * The job's kernel parameters plus pfnlab's own; the boot method puts the
 * machine's console and earlycon parameters in front.
 */
export function bootCmdline(d: RunDispatch): string[] {
  const params = [...d.spec.boot.cmdline];
  // A panicking kernel must reboot rather than hang (DOMAIN.md), unless the job decides.
  if (!params.some((p) => p.startsWith('panic='))) params.push('panic=-1');
  params.push(`pfnlab.run=${d.runId}`);
  return params;
}

/** What boots: the job's own image, or the kernel this run built (with the job's initramfs). */
export function artifactsOf(d: RunDispatch, cmdline: string[], builtKernel?: string): BootArtifacts {
  const k = d.spec.kernel;
  if ('image' in k) return { kernelPath: k.image, initrdPath: k.initrd, cmdline, earlycon: d.spec.boot.earlycon };
  if ('tree' in k && builtKernel) return { kernelPath: builtKernel, initrdPath: k.initrd, cmdline, earlycon: d.spec.boot.earlycon };
  if ('tree' in k) throw new StepFailure('deploy', 'ERROR', 'this job needs a kernel build and this agent has no builder role (set PFNLAB_AGENT_BUILDER=1)');
  if ('knownGood' in k) throw new StepFailure('deploy', 'ERROR', 'the known-good kernel is not staged');
  throw new StepFailure('deploy', 'ERROR', 'kernel.build references are resolved by the server; this agent received one unresolved');
}

/**
 * Executes one run on one machine: reserve, console, deploy, power, boot,
 * test, collect, recover, release, each under its own timeout. Console
 * capture starts before power-on; the verdict is reported as soon as it is
 * known, before recovery, which brings the machine back to its known-good
 * kernel after a failure; the lease is released last.
 */
export class RunExecutor {
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private readonly dir: string;

  constructor(
    private readonly d: RunDispatch,
    private readonly machine: InventoryMachine,
    private readonly deps: ExecutorDeps,
  ) {
    this.log = new Logger(`run ${d.runId.slice(0, 8)} ${machine.name}`);
    this.dir = join(deps.stateDir, 'runs', d.runId);
  }

  /** How an abort ends the run: CANCELED for a user's cancel, ERROR when the agent shuts down. */
  private abortVerdict: 'CANCELED' | 'ERROR' = 'CANCELED';

  cancel(reason = 'canceled by user', verdict: 'CANCELED' | 'ERROR' = 'CANCELED'): void {
    this.abortVerdict = verdict;
    this.abort.abort(reason);
  }

  async execute(): Promise<Verdict> {
    const { d, machine, deps } = this;
    const signal = this.abort.signal;
    const timeouts = stepTimeouts(d.spec);
    const reporter = new RunReporter(deps.redis, deps.prefix, d.runId, d.leaseToken);
    mkdirSync(this.dir, { recursive: true });
    // Written first: if the agent dies, its successor finds this and ends the run honestly.
    writeFileSync(join(this.dir, 'dispatch.json'), JSON.stringify({ dispatch: d, machine }));
    const spool = new ConsoleSpool(join(this.dir, 'console.log'), deps.redis, deps.prefix, d.runId);
    const lineListeners: Array<(l: string) => void> = [];
    // Kernel WARNING splats, counted per payload (the analysis titles them in the verdict's crashes).
    let warnings = 0;
    lineListeners.push((l) => {
      if (/\bWARNING: (?:CPU: \d+ PID: |at )/.test(l)) warnings++;
    });
    const watch = new BootWatch({
      arch: machine.arch,
      readyMarkers: [machine.boot.readyMarker, d.spec.boot.readyMarker].filter((m): m is string => !!m),
      silenceMs: d.spec.boot.silenceSeconds * 1000,
      noOutputMs: Math.min(timeouts.boot, 120) * 1000,
      onLine: (l) => {
        spool.add(l);
        for (const f of lineListeners) f(l);
      },
    });
    let conn: ConsoleConnection | undefined;
    let drivers: ReturnType<typeof createDrivers> | undefined;
    let secrets: SecretResolver | undefined;
    let poweredOn = false;
    let result: Verdicts = { verdict: 'PASS', reason: 'booted to user space', failedStep: null };
    let outcome: BootOutcome | undefined;
    let verdictSent = false;
    const sendVerdict = async () => {
      if (verdictSent) return;
      verdictSent = true;
      const analysis = watch.end();
      const crashes = analysis.crashes.slice(0, 50).map((c) => ({ title: c.title, type: c.type, frame: c.frame, corrupted: c.corrupted, count: c.count, report: c.report.slice(0, 65536), startLine: c.startLine }));
      if (result.verdict === 'PASS' && crashes.length) result = { verdict: 'FAIL', reason: `booted, but the kernel reported: ${crashes[0].title}`, failedStep: 'boot' };
      if (outcome?.kind === 'panic' && crashes.length) {
        const title = crashes.find((c) => c.type === 'PANIC')?.title ?? crashes[0].title;
        result.reason = /^kernel panic/i.test(title) ? title : `kernel panic: ${title}`;
      }
      await reporter.verdict({
        verdict: result.verdict,
        reason: result.reason,
        failedStep: result.failedStep,
        kernelVersion: watch.kernelVersion,
        milestones: watch.milestones.slice(0, 100).map((m) => ({ name: m.name, line: m.line, time: m.time, at: m.at })),
        crashes,
      });
    };

    // A health check boots the machine's own kernel: nothing staged, then SSH must answer.
    const knownGood = 'knownGood' in d.spec.kernel;
    try {
      await runStep(reporter, 'reserve', timeouts.reserve, signal, async () => {
        const stored = JSON.stringify(machine).includes('stored:') ? await deps.link.secrets(d.runId, d.leaseToken) : {};
        secrets = new SecretResolver(process.env, stored);
        drivers = createDrivers(machine, secrets);
        // Booting from the running OS: the console first shows the known-good OS, which is not under test.
        if (drivers.boot.kind === 'running-os' && !knownGood) watch.hold();
      });
      await runStep(reporter, 'console', timeouts.console, signal, async () => {
        conn = await drivers!.console.open();
        conn.onData((chunk) => {
          // A bug in the analysis of one console must not take the agent (and every other run) down.
          try {
            watch.push(chunk);
          } catch (e) {
            this.log.error(`console analysis failed: ${(e as Error).stack}`);
          }
        });
        conn.onClose((why) => this.log.warn(`console closed: ${why}`));
      });
      const cmdline = bootCmdline(d);
      const boot = drivers!.boot;
      // The kernel is built (or fetched from the store) first, before the machine is touched.
      const kernel = async () => artifactsOf(d, cmdline, await this.buildKernel(reporter, signal));
      if (knownGood) {
        await runStep(reporter, 'deploy', timeouts.deploy, signal, () => boot.unstage());
        await runStep(reporter, 'power', timeouts.power, signal, () => this.powerOnOrCycle(drivers!, watch, () => (poweredOn = true)));
      } else if (boot.kind === 'running-os') {
        // The known-good OS must be up to load the test kernel: the deploy step may include its boot.
        await runStep(reporter, 'deploy', timeouts.deploy + timeouts.boot, signal, async () => {
          const artifacts = await kernel();
          poweredOn = true;
          if ((await drivers!.power.status()) !== 'on') await drivers!.power.on();
          await boot.waitReachable!(signal, timeouts.boot * 1000);
          await boot.stage(artifacts);
        });
        await runStep(reporter, 'power', timeouts.power, signal, async () => {
          watch.begin();
          await boot.start!();
        });
      } else {
        await runStep(reporter, 'deploy', timeouts.deploy, signal, async () => boot.stage(await kernel()));
        await runStep(reporter, 'power', timeouts.power, signal, () => this.powerOnOrCycle(drivers!, watch, () => (poweredOn = true)));
      }
      await runStep(reporter, 'boot', timeouts.boot, signal, async () => {
        outcome = await watch.outcome(timeouts.boot * 1000 - 500, signal);
        switch (outcome.kind) {
          case 'ready':
            if (knownGood) {
              await this.checkSsh(secrets!, signal, timeouts.boot * 1000);
              result = { ...result, reason: this.machine.ssh ? 'health check passed: the known-good kernel booted and SSH answers' : 'health check passed: the known-good kernel booted' };
            }
            return;
          case 'panic':
            throw new StepFailure('boot', 'FAIL', `kernel panic: ${outcome.header}`);
          case 'silent':
            throw new StepFailure('boot', outcome.verdict, outcome.message);
          case 'timeout':
            throw new StepFailure('boot', outcome.handover ? 'FAIL' : 'ERROR', outcome.message);
          case 'aborted':
            throw new StepFailure('boot', 'CANCELED', outcome.message);
        }
      });
      if (d.spec.tests.length) await runStep(reporter, 'test', timeouts.test, signal, () => this.runPayloads(reporter, secrets!, signal, () => warnings));
      else await reporter.step('test', 'skipped');
      await reporter.step('collect', 'skipped');
    } catch (e) {
      const f = e instanceof StepFailure ? e : new StepFailure('boot', 'ERROR', (e as Error).message);
      const verdict = f.verdict === 'CANCELED' ? this.abortVerdict : f.verdict;
      const reason = f.verdict === 'CANCELED' ? String(signal.reason ?? f.message) : f.message;
      result = { verdict, reason, failedStep: f.step };
      this.log.warn(`${f.verdict} in step ${f.step}: ${f.message}`);
    }
    await sendVerdict().catch((e) => this.log.error(`could not report the verdict: ${e.message}`));

    // Recovery: a failed, hung or canceled boot leaves the machine in a state nobody knows.
    let machineState: 'good' | 'unknown' = result.verdict === 'PASS' || !poweredOn ? 'good' : 'unknown';
    // A failed health check is not "recovered" by booting the same known-good kernel again: it stays a failure.
    if (knownGood && result.verdict !== 'PASS') machineState = 'unknown';
    if (drivers && poweredOn && result.verdict !== 'PASS' && !knownGood) {
      const recovered = await this.recover(drivers, secrets!, reporter, timeouts.recover, lineListeners).catch((e) => {
        this.log.warn(`recovery failed: ${e.message}`);
        return false;
      });
      machineState = recovered ? 'good' : 'unknown';
    } else {
      await reporter.step('recover', 'skipped');
    }
    await runStep(reporter, 'release', timeouts.release, new AbortController().signal, async () => {
      await drivers?.boot.unstage().catch(() => undefined);
      await conn?.close().catch(() => undefined);
      watch.close();
      await spool.close();
    }).catch((e) => this.log.warn(`release: ${e.message}`));
    await reporter.finished({ consoleLines: spool.lines, machineState });
    rmSync(this.dir, { recursive: true, force: true });
    return result.verdict;
  }

  /**
   * The job's tests: entries, one after the other over one SSH session, each
   * reported as it ends. A payload that reports failure fails the run (the
   * kernel under test broke what it exercises); one that could not finish is
   * the lab's ERROR; SKIPs are results, not failures.
   */
  private async runPayloads(reporter: RunReporter, secrets: SecretResolver, signal: AbortSignal, warnings: () => number): Promise<void> {
    if (!this.machine.ssh) throw new StepFailure('test', 'ERROR', `${this.machine.name} has no ssh: in the inventory; payloads run over SSH`);
    const session = await SshSession.connect(sshTargetOf(this.machine.ssh, secrets)).catch((e: Error) => {
      throw new StepFailure('test', 'ERROR', `cannot reach ${this.machine.name} over SSH to run the payloads: ${e.message}`);
    });
    try {
      const runner = new PayloadRunner(session, warnings, this.machine);
      await runner.upload();
      for (const [i, test] of this.d.spec.tests.entries()) {
        const r = await runner.run(test, i, this.d.iteration, signal);
        await reporter.payload(r);
        if (r.status === 'fail') throw new StepFailure('test', 'FAIL', `payload ${test.name} failed: ${r.reason}`);
        if (r.status === 'incomplete') throw new StepFailure('test', 'ERROR', `payload ${test.name} did not finish: ${r.reason}`);
      }
    } finally {
      session.close();
    }
  }

  /** Builds the job's kernel when its spec has a source section; undefined otherwise. */
  private async buildKernel(reporter: RunReporter, signal: AbortSignal): Promise<string | undefined> {
    if (!('tree' in this.d.spec.kernel) || !this.deps.builder) return undefined;
    try {
      const built = await this.deps.builder.build(this.d, this.dir, (e) => reporter.build(e), signal);
      return built.kernelPath;
    } catch (e) {
      if (e instanceof BuildStop) throw new StepFailure('deploy', e.status, e.title);
      throw e;
    }
  }

  /**
   * Brings the machine back: unstage the test kernel, then power-cycle to
   * the known-good one and wait until it is up: its ready marker on the
   * console, or SSH answering (the health check of DESIGN.md). After a
   * cancel, just power off: prompt, and a known state.
   */
  private async recover(drivers: ReturnType<typeof createDrivers>, secrets: SecretResolver, reporter: RunReporter, timeoutSeconds: number, lineListeners: Array<(l: string) => void>): Promise<boolean> {
    const done = new AbortController();
    try {
      return await runStep(reporter, 'recover', timeoutSeconds, new AbortController().signal, async () => {
        await drivers.boot.unstage();
        if (this.abort.signal.aborted) {
          // Canceled or shutting down: off is prompt and a known state.
          await drivers.power.off();
          return true;
        }
        const marker = this.machine.boot.readyMarker;
        const waits: Promise<void>[] = [];
        if (marker) waits.push(new Promise<void>((resolve) => lineListeners.push((l) => l.includes(marker) && resolve())));
        await drivers.power.cycle();
        if (this.machine.ssh) waits.push(this.sshAnswers(secrets, done.signal));
        if (waits.length) await Promise.race(waits);
        return true;
      });
    } finally {
      done.abort();
    }
  }

  /** Power: on, or a cycle if it is on; the boot clock starts now. */
  private async powerOnOrCycle(drivers: ReturnType<typeof createDrivers>, watch: BootWatch, poweredOn: () => void): Promise<void> {
    watch.restartClock();
    const state = await drivers.power.status();
    poweredOn();
    if (state === 'on') await drivers.power.cycle();
    else await drivers.power.on();
  }

  /** The health check's second half: the known-good OS answers on SSH (machines without SSH: the ready marker was all). */
  private async checkSsh(secrets: SecretResolver, signal: AbortSignal, timeoutMs: number): Promise<void> {
    if (!this.machine.ssh) return;
    const r = await waitForSsh(() => sshTargetOf(this.machine.ssh!, secrets), signal, timeoutMs);
    if (!r.up) throw new StepFailure('boot', 'ERROR', `the known-good kernel booted but SSH did not answer: ${r.last}`);
  }

  /** Resolves once the machine's SSH server answers; never, if recovery ends first (the ready marker won the race). */
  private async sshAnswers(secrets: SecretResolver, signal: AbortSignal): Promise<void> {
    const r = await waitForSsh(() => sshTargetOf(this.machine.ssh!, secrets), signal, Number.POSITIVE_INFINITY).catch(() => ({ up: false }));
    if (!r.up) await new Promise(() => undefined);
  }
}
