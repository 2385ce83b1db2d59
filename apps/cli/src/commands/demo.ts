import type { Command } from 'commander';
import { join } from 'node:path';
import { parseInventory } from '../../../agent/src/inventory-loader';
import { Vlab } from '../../../vlab/src/lab';
import { defaultDataDir } from '../../../vlab/src/paths';
import { ApiClient } from '../api-client';
import { CliError, ExitCode } from '../cli-error';
import { saveCliConfig } from '../cli-config';
import { demoJob } from '../demo/demo-jobs';
import { loadDotEnv, repoRoot, serverAdmin, startDaemon, stopDaemon, waitFor } from '../demo/local-stack';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

interface RunView {
  id: string;
  machine: string | null;
  arch: string | null;
  state: string;
  verdict: string | null;
  verdictReason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  milestones: Array<{ name: string }>;
  steps: Array<{ name: string; state: string }>;
  crashes: Array<{ title: string }>;
}

/**
 * `pfnlab demo`: the whole loop on this machine. Starts the server, the
 * virtual lab and an agent for it, submits a boot job to each of the four
 * machines, shows their steps live and prints the verdicts.
 */
export function registerDemo(program: Command): void {
  const demo = program.command('demo').description('start server, virtual lab and agent, boot all four machines through pfnlab, print verdicts');
  demo.option('--json', 'one JSON object per run at the end').option('--timeout <s>', 'give up after this many seconds', '900').action(async (opts: { json?: boolean; timeout: string }) => {
    const say = (s: string) => (opts.json ? process.stderr : process.stdout).write(s + '\n');
    const root = repoRoot();
    const state = join(root, '.pfnlab');
    const env = { ...process.env, ...loadDotEnv(join(root, '.env')) };
    const server = `http://${env.HOST ?? '127.0.0.1'}:${env.PORT ?? '8080'}`;

    const srv = startDaemon(state, 'server', join(root, 'dist/apps/server/src/main.js'), env);
    say(`${srv.started ? 'started' : 'reusing'} the server (pid ${srv.pid}, log ${srv.log})`);
    await waitFor('the server', async () => (await fetch(`${server}/readyz`)).ok, 60_000, `see ${srv.log}`);

    const tokenFile = join(state, 'admin-token');
    if (!existsSync(tokenFile)) {
      const r = serverAdmin(root, env, ['bootstrap-admin']);
      if (r.code !== 0) throw new CliError(`could not create the admin token: ${r.stderr.trim()}`, ExitCode.failure, `an admin exists but ${tokenFile} is gone: drop the database to start over`);
      writeFileSync(tokenFile, r.stdout.trim() + '\n', { mode: 0o600 });
    }
    const token = readFileSync(tokenFile, 'utf8').trim();
    process.env.XDG_CONFIG_HOME ??= join(state, 'config');
    saveCliConfig({ server, token });
    const api = new ApiClient({ server, token });

    say('bringing up the virtual lab (the first time it downloads Debian kernels: a few minutes)...');
    const vlabDir = defaultDataDir();
    const vlab = new Vlab(vlabDir);
    await vlab.up({ powerOn: false, log: (m) => say(`  vlab: ${m}`) });
    const inventoryFile = vlab.paths.inventory;
    // x86-01 boots its test kernel by kexec from its running OS; the LPAR goes through the HMC API; the rest by netboot staging.
    vlab.writeInventory(vlab.state()!, { boot: { 'x86-01': 'kexec' } }, inventoryFile);
    const inventory = parseInventory(readFileSync(inventoryFile, 'utf8'), inventoryFile);

    const agentTokenFile = join(state, 'agent-token');
    if (!existsSync(agentTokenFile)) {
      const a = await api.request<{ token: string }>('POST', `/api/labs/${inventory.lab}/agents`, { json: { name: 'vlab-agent' } });
      writeFileSync(agentTokenFile, a.token + '\n', { mode: 0o600 });
    }
    const agentEnv = {
      ...env,
      PFNLAB_INVENTORY: inventoryFile,
      PFNLAB_AGENT_NAME: 'vlab-agent',
      PFNLAB_AGENT_TOKEN: readFileSync(agentTokenFile, 'utf8').trim(),
      PFNLAB_AGENT_STATE_DIR: join(state, 'agent'),
    };
    const agent = startDaemon(state, 'agent', join(root, 'dist/apps/agent/src/main.js'), agentEnv);
    say(`${agent.started ? 'started' : 'reusing'} the agent (pid ${agent.pid}, log ${agent.log})`);
    await waitFor('the agent registration', async () => (await api.get<Array<{ name: string; lab: string }>>('/api/machines')).filter((m) => m.lab === inventory.lab).length === inventory.machines.length, 60_000, `see ${agent.log}`);

    const jobs: Array<{ id: string; machine: string }> = [];
    for (const m of inventory.machines) {
      const job = await api.request<{ id: string }>('POST', '/api/jobs', { json: demoJob(m, vlabDir) });
      jobs.push({ id: job.id, machine: m.name });
      say(`submitted job ${job.id} for ${m.name}`);
    }

    const deadline = Date.now() + Number(opts.timeout) * 1000;
    const seen = new Map<string, string>();
    const runs = new Map<string, RunView>();
    for (;;) {
      let open = 0;
      for (const j of jobs) {
        const job = await api.get<{ state: string; verdict: string | null; verdictReason: string | null; runs: Array<{ id: string }> }>(`/api/jobs/${j.id}`);
        if (job.state !== 'finished' && job.state !== 'canceled') open++;
        if (job.state === 'finished' && !job.runs.length) say(`${j.machine}: ${job.verdict} ${job.verdictReason ?? ''}`);
        for (const r of job.runs) {
          const run = await api.get<RunView>(`/api/runs/${r.id}`);
          runs.set(r.id, run);
          const progress = `${run.steps.map((s) => `${s.name}:${s.state}`).join(' ')}${run.verdict ? ` => ${run.verdict}` : ''}`;
          if (seen.get(r.id) !== progress) {
            const last = run.steps[run.steps.length - 1];
            say(`[${new Date().toISOString().slice(11, 19)}] ${j.machine.padEnd(12)} ${last ? `${last.name} ${last.state}` : 'queued'}${run.verdict && seen.get(r.id)?.includes('=>') !== true ? `  => ${run.verdict}: ${run.verdictReason}` : ''}`);
            seen.set(r.id, progress);
          }
        }
      }
      if (!open) break;
      if (Date.now() > deadline) throw new CliError(`the demo jobs did not finish within ${opts.timeout} s`, ExitCode.failure, `see ${agent.log} and \`pfnlab jobs ls\``);
      await new Promise((r) => setTimeout(r, 1000));
    }

    const results = [...runs.values()].map((r) => ({
      machine: r.machine,
      arch: r.arch,
      verdict: r.verdict,
      milestones: r.milestones.map((m) => m.name),
      crashes: r.crashes.map((c) => c.title),
      seconds: r.startedAt && r.finishedAt ? Math.round((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 100) / 10 : null,
    }));
    if (opts.json) for (const r of results) process.stdout.write(JSON.stringify(r) + '\n');
    else {
      say('\nverdicts:');
      const path = (name: string | null) => {
        const m = inventory.machines.find((x) => x.name === name);
        return m ? `${m.power.driver} + ${m.boot.method}` : '?';
      };
      for (const r of results) say(`  ${String(r.machine).padEnd(12)} ${String(r.arch).padEnd(8)} ${String(r.verdict).padEnd(6)} ${String(r.seconds ?? '-').padStart(5)} s  via ${path(r.machine).padEnd(15)} milestones: ${r.milestones.join(', ')}${r.crashes.length ? `  crashes: ${r.crashes.join('; ')}` : ''}`);
      say(`\nsee them: ./bin/pfnlab jobs ls   (XDG_CONFIG_HOME=${process.env.XDG_CONFIG_HOME})`);
      say(`API docs: ${server}/api/docs   consoles: ${server}/api/runs/RUN/console`);
      say('stop everything: ./bin/pfnlab demo stop');
    }
    process.exitCode = results.every((r) => r.verdict === 'PASS') ? 0 : 1;
  });

  demo
    .command('stop')
    .description('stop the demo server, agent and virtual lab')
    .action(async () => {
      const state = join(repoRoot(), '.pfnlab');
      const stopped = ['agent', 'server'].filter((n) => stopDaemon(state, n));
      await new Vlab(defaultDataDir()).down();
      process.stdout.write(`stopped ${stopped.join(' and ') || 'no daemon'} and the virtual lab\n`);
    });
}
