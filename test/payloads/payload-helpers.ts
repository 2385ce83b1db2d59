import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InventoryMachine } from '@pfnlab/contracts';
import { QmpClient, SecretResolver, SshSession, sshTargetOf, waitForSsh } from '@pfnlab/machines';
import { parsePayloadOutput, payloadScriptDir, PAYLOAD_SCRIPTS, COMMON_SCRIPT, type HotplugStep, type PayloadResult } from '@pfnlab/payloads';
import { runQmpAction } from '../../apps/agent/src/payload/hotplug-add-remove-runner';
import { DriverTestLab } from '../machines/vlab-fixture';

/* The payloads on a vlab machine, the way the agent will run them: uploaded over SFTP, run over SSH, output parsed. */

export const REMOTE_DIR = '/tmp/pfnlab-payloads';
export const log = (s: string) => process.stdout.write(`${s}\n`);

export interface PayloadRun {
  code: number | null;
  stdout: string;
  stderr: string;
  r: PayloadResult;
}

export class GuestPayloads {
  private static runs = 0;
  private constructor(readonly machine: InventoryMachine, private readonly ssh: SshSession) {}

  /** Powers the machine on (if off), waits for SSH, uploads the payloads. */
  static async boot(lab: DriverTestLab, name: string): Promise<GuestPayloads> {
    const m = lab.machine(name);
    const d = lab.drivers(m);
    if ((await d.power.status()) !== 'on') await d.power.on();
    const target = () => sshTargetOf(m.ssh!, new SecretResolver());
    const t0 = Date.now();
    const up = await waitForSsh(target, new AbortController().signal, 240_000);
    if (!up.up) throw new Error(`${name}: no SSH after power on: ${up.last}`);
    log(`${name}: SSH up ${((Date.now() - t0) / 1000).toFixed(1)} s after power on`);
    const ssh = await SshSession.connect(target());
    const g = new GuestPayloads(m, ssh);
    await g.sh(`rm -rf ${REMOTE_DIR} && mkdir -p ${REMOTE_DIR}`);
    for (const f of [...PAYLOAD_SCRIPTS, COMMON_SCRIPT]) await ssh.upload(path.join(payloadScriptDir(), f), `${REMOTE_DIR}/${f}`, 0o755);
    return g;
  }

  async sh(cmd: string, timeoutMs = 60_000): Promise<string> {
    const r = await this.ssh.exec(['sh', '-c', cmd], { timeoutMs });
    if (r.code !== 0) throw new Error(`${cmd}: exit ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** `sh SCRIPT ARGS...` in the upload dir; onLine sees stdout as it comes. */
  async run(script: string, args: string[], o: { timeoutMs?: number; env?: Record<string, string>; onStdout?: (chunk: string) => void } = {}): Promise<PayloadRun> {
    const env = Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const r = await this.ssh.exec(['env', ...env, 'sh', `${REMOTE_DIR}/${script}`, ...args], { timeoutMs: o.timeoutMs ?? 300_000, onStdout: o.onStdout });
    // PFNLAB_PAYLOADS_DUMP=dir keeps every output (fixtures for the parser's tests)
    const dump = process.env.PFNLAB_PAYLOADS_DUMP;
    if (dump) {
      fs.mkdirSync(dump, { recursive: true });
      fs.writeFileSync(path.join(dump, `${this.machine.name}-${String(++GuestPayloads.runs).padStart(2, '0')}-${script.replace(/\.sh$/, '')}-${args.join('_').replace(/[^A-Za-z0-9_.-]/g, '')}.txt`), r.stdout);
    }
    return { code: r.code, stdout: r.stdout, stderr: r.stderr, r: parsePayloadOutput(r.stdout) };
  }

  /**
   * A guest phase that times what the host triggers: starts it, waits for
   * its `info ready=1` line, runs the host steps, then waits for the phase.
   */
  async runAround(script: string, args: string[], host: () => Promise<void>, timeoutMs = 300_000): Promise<PayloadRun> {
    let out = '';
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    const p = this.run(script, args, { timeoutMs, onStdout: (c) => { out += c; if (/ info run=\S+ seq=\d+ ready=1 /.test(out)) ready(); } });
    await Promise.race([isReady, p]);
    await host();
    return p;
  }

  close(): void {
    this.ssh.close();
  }
}

/** Executes the host QMP steps of a hotplug plan, as the agent does (runQmpAction); returns each step's answer. */
export async function runQmpSteps(qmp: QmpClient, steps: HotplugStep[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const s of steps) {
    if (s.action.kind !== 'qmp') throw new Error(`step ${s.id} is not a QMP action`);
    out.push(await runQmpAction(qmp, s.action));
  }
  return out;
}

/**
 * QmpClient with runSteps, under the name scripts written before the client
 * moved to libs/machines use (bench/payloads/counter-overhead.ts): not a
 * second client, the same connection with runQmpSteps attached.
 */
export type Qmp = QmpClient & { runSteps(steps: HotplugStep[]): Promise<unknown[]> };
export const Qmp = {
  async connect(socketPath: string): Promise<Qmp> {
    const c = await QmpClient.connect(socketPath);
    return Object.assign(c, { runSteps: (steps: HotplugStep[]) => runQmpSteps(c, steps) });
  },
};

/** The host steps of a plan between two guest phases (by the guest step ids before and after). */
export function hostStepsBetween(steps: HotplugStep[], afterGuest: string): HotplugStep[] {
  const i = steps.findIndex((s) => s.id === afterGuest);
  const out: HotplugStep[] = [];
  for (const s of steps.slice(i + 1)) {
    if (s.actor !== 'host') break;
    out.push(s);
  }
  return out;
}

export function guestArgs(steps: HotplugStep[], id: string): string[] {
  const s = steps.find((x) => x.id === id);
  if (!s || s.action.kind !== 'guest') throw new Error(`no guest step ${id}`);
  return s.action.args;
}
