import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Inventory, JobSpecInput } from '@pfnlab/contracts';
import { DriverTestLab, REPO, sleep } from '../machines/vlab-fixture';
import { startTestServer, type TestServer } from '../support/test-server';

export interface RunView {
  id: string;
  attempt: number;
  machine: string;
  state: string;
  verdict: string | null;
  verdictReason: string | null;
  failedStep: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  consoleLines: string;
  milestones: Array<{ name: string; at: number }>;
  steps: Array<{ name: string; state: string; error: string | null }>;
  crashes: Array<{ title: string; type: string }>;
}

/**
 * The whole loop for end-to-end tests: a real server (API and workers) on
 * its own database and Redis prefix, a private virtual lab, and a real agent
 * process for it. Jobs go in through the API only.
 */
export class E2eStack {
  server!: TestServer;
  readonly lab: DriverTestLab;
  inventory!: Inventory;
  private agent?: ChildProcess;
  agentLog = '';
  private readonly stateDir = mkdtempSync(join(tmpdir(), 'pfnlab-agent-'));
  private agentEnv: NodeJS.ProcessEnv = {};
  private inventoryFile = '';

  /** extraAgentEnv: e.g. the builder role's variables. */
  constructor(dir: string, portBase: number, private readonly extraAgentEnv: Record<string, string> = {}) {
    this.lab = new DriverTestLab(dir, portBase);
  }

  async start(adjust: (inv: Inventory) => Inventory = (i) => i): Promise<void> {
    this.server = await startTestServer({ label: 'e2e', roles: 'api,workers' });
    this.lab.up();
    this.inventory = adjust(this.lab.inventory());
    const inventoryFile = join(this.stateDir, 'inventory.yaml');
    writeFileSync(inventoryFile, stringify(this.inventory));
    this.inventoryFile = inventoryFile;
    const a = await (await this.server.api(`/api/labs/${this.inventory.lab}/agents`, { method: 'POST', json: { name: 'e2e-agent' } })).json();
    this.agentEnv = {
      ...process.env,
      PFNLAB_INVENTORY: inventoryFile,
      PFNLAB_AGENT_NAME: 'e2e-agent',
      PFNLAB_AGENT_TOKEN: a.token,
      REDIS_URL: this.server.config.redisUrl,
      PFNLAB_REDIS_PREFIX: this.server.config.redisPrefix,
      PFNLAB_AGENT_STATE_DIR: join(this.stateDir, 'agent'),
      ...this.extraAgentEnv,
    };
    mkdirSync(join(this.stateDir, 'agent'), { recursive: true });
    await this.startAgent();
  }

  /** The agent's state directory (its console spools are runs/<run id>/console.log there). */
  get agentStateDir(): string {
    return join(this.stateDir, 'agent');
  }

  async startAgent(): Promise<void> {
    this.agent = spawn(process.execPath, [join(REPO, 'dist/apps/agent/src/main.js')], { env: this.agentEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    this.agent.stdout!.on('data', (d) => (this.agentLog += d));
    this.agent.stderr!.on('data', (d) => (this.agentLog += d));
    const deadline = Date.now() + 60_000;
    while (!/registered as/.test(this.agentLog)) {
      if (Date.now() > deadline || this.agent.exitCode !== null) throw new Error(`the agent did not register: ${this.agentLog.slice(-2000)}`);
      await sleep(200);
    }
  }

  /** An operator edits the lab inventory and restarts the agent (it registers the machines anew). */
  async useInventory(inv: Inventory): Promise<void> {
    this.inventory = inv;
    writeFileSync(this.inventoryFile, stringify(inv));
    this.agent?.kill('SIGTERM');
    await new Promise<void>((resolve) => (this.agent && this.agent.exitCode === null ? this.agent.once('exit', () => resolve()) : resolve()));
    this.agentLog = '';
    await this.startAgent();
  }

  /** kill -9: no chance to clean up, as when a lab host loses power. */
  killAgent(): void {
    this.agent?.kill('SIGKILL');
  }

  /**
   * These tests follow one run through the loop: a job's runs are neither
   * retried nor confirmed unless the test asks (test/api/retries covers
   * those; the panic test here checks a confirmation on real machines).
   */
  async submit(job: JobSpecInput): Promise<string> {
    const res = await this.server.api('/api/jobs', { method: 'POST', json: { retry: { maxAttempts: 1, confirmFail: false }, ...job } });
    if (res.status !== 201) throw new Error(`submit: ${res.status} ${await res.text()}`);
    return (await res.json()).id;
  }

  async runsOf(jobId: string): Promise<RunView[]> {
    const job = await (await this.server.api(`/api/jobs/${jobId}`)).json();
    return Promise.all(job.runs.map(async (r: { id: string }) => (await this.server.api(`/api/runs/${r.id}`)).json()));
  }

  /** Waits until `pred` holds for the job's first run, or fails with what the run and agent show. */
  async waitRun(jobId: string, pred: (r: RunView) => boolean, ms: number): Promise<RunView> {
    const deadline = Date.now() + ms;
    let last: RunView | undefined;
    while (Date.now() < deadline) {
      [last] = await this.runsOf(jobId);
      if (last && pred(last)) return last;
      await sleep(250);
    }
    const job = await this.job(jobId);
    const serverLog = this.server.logger.lines.filter((l) => /^(warn|error)/.test(l)).slice(-20).join('\n');
    throw new Error(`run of job ${jobId} not as expected within ${ms} ms: ${JSON.stringify(last)}\njob: ${JSON.stringify(job)}\nserver warnings:\n${serverLog}\nagent log:\n${this.agentLog.slice(-3000)}`);
  }

  async job(jobId: string): Promise<{ state: string; verdict: string | null; verdictReason: string | null; flaky: boolean; passRate: number | null }> {
    return (await this.server.api(`/api/jobs/${jobId}`)).json();
  }

  bootJob(machine: string, extra: Partial<JobSpecInput> = {}, cmdline: string[] = []): JobSpecInput {
    const m = this.inventory.machines.find((x) => x.name === machine)!;
    const d = this.lab.defaultBoot(machine);
    return { name: `e2e ${machine}`, kernel: { image: d.kernel, initrd: d.initrd }, arch: m.arch, target: { machine }, boot: { cmdline, timeouts: { boot: 180, recover: 180 } }, ...extra };
  }

  async stop(): Promise<void> {
    // Kept for a post-mortem of a failed run.
    writeFileSync(join(tmpdir(), 'pfnlab-e2e-agent.log'), this.agentLog);
    this.agent?.kill('SIGTERM');
    await sleep(500);
    this.agent?.kill('SIGKILL');
    this.lab.down();
    // Also after a start() that failed before the server was up.
    await this.server?.close();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
