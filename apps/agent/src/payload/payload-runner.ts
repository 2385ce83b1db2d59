import type { PayloadResultEvent } from '@pfnlab/contracts';
import { QmpClient, type SshSession } from '@pfnlab/machines';
import { COMMON_SCRIPT, parsePayloadOutput, PAYLOAD_SCRIPTS, payloadScriptDir, type PayloadResult } from '@pfnlab/payloads';
import * as path from 'node:path';
import { HotplugAddRemoveRunner, type ConnectQmp, type HotplugRunOutcome } from './hotplug-add-remove-runner';
import { payloadCommand, type PayloadMachine, type TestEntry } from './payload-commands';

/** Where the payloads go on the machine (tmpfs on the vlab's initramfs, /tmp on a distro). */
export const REMOTE_PAYLOAD_DIR = '/tmp/pfnlab-payloads';
const COUNTERS_DIR = `${REMOTE_PAYLOAD_DIR}/counters`;
const DEFAULT_TIMEOUT_S = 1800;
const MAX_OUTPUT = 8 * 1024 * 1024;

export type PayloadEventBody = Omit<PayloadResultEvent, 'type' | 'runId' | 'leaseToken' | 'at'>;

/**
 * Runs a job's `tests:` entries on a booted machine over SSH: uploads the
 * payloads once, then per entry: counters start, the payload, counters stop
 * (which also cleans up), and `counters.sh cleanup` in any case, so tracing
 * never outlives a failed payload. Each payload's output is parsed (marker
 * lines) into one result event. A host-driven payload (hotplug-add-remove)
 * runs its guest phases and host steps between the same counters. A payload
 * that cannot run on this machine is a SKIP with its reason, never a silent
 * pass.
 */
export class PayloadRunner {
  constructor(
    private readonly ssh: Pick<SshSession, 'exec' | 'upload'>,
    /** Kernel WARNING splats seen on the console so far (the console analysis counts them). */
    private readonly warningsSoFar: () => number,
    /** The machine's inventory entry: host-driven payloads depend on its hotplug methods. */
    private readonly machine?: PayloadMachine,
    private readonly connectQmp: ConnectQmp = (p) => QmpClient.connect(p),
  ) {}

  async upload(): Promise<void> {
    const dir = payloadScriptDir();
    await this.ssh.exec(['mkdir', '-p', REMOTE_PAYLOAD_DIR], { timeoutMs: 30_000 });
    for (const f of [...PAYLOAD_SCRIPTS, COMMON_SCRIPT]) await this.ssh.upload(path.join(dir, f), `${REMOTE_PAYLOAD_DIR}/${f}`, 0o755);
  }

  async run(test: TestEntry, index: number, iteration: number, signal: AbortSignal): Promise<PayloadEventBody> {
    const started = Date.now();
    const warningsBefore = this.warningsSoFar();
    const cmd = payloadCommand(test, this.machine);
    if ('skip' in cmd) return this.result(test, index, iteration, skipped(test.name, cmd.skip), started, warningsBefore);
    const timeoutMs = (test.timeoutSeconds ?? DEFAULT_TIMEOUT_S) * 1000;
    let output = '';
    let hotplug: HotplugRunOutcome | undefined;
    const sh = async (argv: string[], ms: number) => {
      if (signal.aborted) throw new Error(String(signal.reason ?? 'aborted'));
      const r = await this.ssh.exec(argv, { timeoutMs: ms, maxBufferBytes: MAX_OUTPUT });
      output += r.stdout.endsWith('\n') || r.stdout === '' ? r.stdout : `${r.stdout}\n`;
      return r;
    };
    try {
      await sh(['sh', `${REMOTE_PAYLOAD_DIR}/counters.sh`, 'start', COUNTERS_DIR], 120_000);
      if ('hotplug' in cmd) {
        hotplug = await new HotplugAddRemoveRunner(this.ssh, this.connectQmp, REMOTE_PAYLOAD_DIR).run(cmd.hotplug, { timeoutMs, signal });
        output += hotplug.output;
      } else {
        await sh(['sh', `${REMOTE_PAYLOAD_DIR}/${cmd.script}`, ...cmd.args], timeoutMs);
      }
      await sh(['sh', `${REMOTE_PAYLOAD_DIR}/counters.sh`, 'stop', COUNTERS_DIR], 120_000);
    } finally {
      await this.ssh.exec(['sh', `${REMOTE_PAYLOAD_DIR}/counters.sh`, 'cleanup', COUNTERS_DIR], { timeoutMs: 120_000 }).catch(() => undefined);
    }
    const r = parsePayloadOutput(output);
    return this.result(test, index, iteration, r, started, warningsBefore, r.status === 'ok' ? undefined : hotplug?.reason, hotplug?.problems);
  }

  private result(test: TestEntry, index: number, iteration: number, r: PayloadResult, started: number, warningsBefore: number, why?: string, moreProblems: string[] = []): PayloadEventBody {
    const reason = r.status === 'ok' ? null : why ?? (r.status === 'skip' ? r.skipReason ?? 'skipped' : r.status === 'fail' ? r.failReason ?? 'failed' : 'the payload ended without its end line');
    return {
      test: { name: test.name, index, iteration },
      status: r.status,
      reason: reason ? reason.slice(0, 1000) : null,
      params: Object.fromEntries(Object.entries(r.params).slice(0, 64).map(([k, v]) => [k.slice(0, 64), v.slice(0, 200)])),
      samples: r.samples.slice(0, 20000).map((s) => ({ metric: s.metric, value: s.value, unit: s.unit, ...(s.iteration !== undefined ? { iteration: s.iteration } : {}), labels: s.labels })),
      counts: r.counts.slice(0, 1000),
      counters: r.counters.slice(0, 1000),
      unavailable: r.unavailable.slice(0, 200),
      problems: [...moreProblems, ...r.problems.map((p) => `line ${p.line}: ${p.message}`)].slice(0, 20).map((p) => p.slice(0, 500)),
      warnings: Math.max(0, this.warningsSoFar() - warningsBefore),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  }
}

function skipped(payload: string, reason: string): PayloadResult {
  return {
    payload, status: 'skip', skipReason: reason, skips: [{ reason, labels: {} }], params: {}, info: [], end: {}, samples: [], counts: [],
    countTotals: {}, counters: [], unavailable: [], problems: [], duplicates: 0, missingLines: 0, otherRuns: [],
  };
}
