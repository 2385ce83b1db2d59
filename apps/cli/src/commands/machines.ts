import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { STORED_SECRET_KINDS } from '@pfnlab/contracts';
import { ApiClient } from '../api-client';
import { CliError, ExitCode } from '../cli-error';
import { age, printRecord, printTable } from '../output';
import { readInput } from '../read-input';

interface Machine {
  name: string;
  lab: string;
  arch: string;
  platform: string;
  memoryMiB: number;
  health: string;
  healthChangedAt: string;
  tags: string[];
  lease: { runId: string } | null;
  [k: string]: unknown;
}

/** `--secret power-password=env:BMC_PW` or `=file:/path`: read locally, sent once, stored encrypted. */
function readSecret(spec: string, acc: Record<string, string>): Record<string, string> {
  const m = /^([a-z-]+)=(env|file):(.+)$/.exec(spec);
  if (!m || !(STORED_SECRET_KINDS as readonly string[]).includes(m[1])) {
    throw new CliError(`--secret ${spec.split('=')[0]}=...: expected KIND=env:VAR or KIND=file:PATH with KIND one of ${STORED_SECRET_KINDS.join(', ')}`, ExitCode.usage);
  }
  const value = m[2] === 'env' ? process.env[m[3]] : readInput(m[3], 64 * 1024).replace(/\n$/, '');
  if (!value) throw new CliError(`--secret ${m[1]}: ${m[2]}:${m[3]} is empty or unset`, ExitCode.usage);
  return { ...acc, [m[1]]: value };
}

export function registerMachines(program: Command): void {
  const machines = program.command('machines').description('list, show and add lab machines; maintenance; health history');

  machines
    .command('ls')
    .description('list machines')
    .option('--arch <arch>')
    .option('--health <state>')
    .option('--lab <lab>')
    .option('--tag <tag>')
    .option('--json', 'machine-readable output')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const q = new URLSearchParams();
      for (const k of ['arch', 'health', 'lab', 'tag']) if (typeof opts[k] === 'string') q.set(k, opts[k] as string);
      const list = await new ApiClient().get<Machine[]>(`/api/machines${q.size ? `?${q}` : ''}`);
      const rows = list.map((m) => ({ NAME: m.name, LAB: m.lab, ARCH: m.arch, PLATFORM: m.platform, MEMORY: `${Math.round(m.memoryMiB / 1024)} GiB`, HEALTH: m.health, SINCE: age(m.healthChangedAt), LEASED: m.lease ? 'yes' : '', TAGS: m.tags }));
      printTable(rows, ['NAME', 'LAB', 'ARCH', 'PLATFORM', 'MEMORY', 'HEALTH', 'SINCE', 'LEASED', 'TAGS'], list, !!opts.json);
    });

  machines
    .command('show <name>')
    .description('show one machine (credentials are never shown, only whether they are set)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { json?: boolean }) => {
      const m = await new ApiClient().get<Machine>(`/api/machines/${encodeURIComponent(name)}`);
      printRecord(m, !!opts.json);
    });

  machines
    .command('maintenance <name> <on|off>')
    .description('take a machine out of service for maintenance, or give it back (operator; audited). Back from maintenance it is `unknown` until a health check passes')
    .option('--reason <text>', 'why, for the audit log and the machine\'s history', 'operator request')
    .option('--json', 'machine-readable output')
    .action(async (name: string, state: string, opts: { reason: string; json?: boolean }) => {
      if (state !== 'on' && state !== 'off') throw new CliError(`maintenance ${name} ${state}: expected on or off`, ExitCode.usage);
      const m = await new ApiClient().request<Machine>('POST', `/api/machines/${encodeURIComponent(name)}/maintenance`, { json: { on: state === 'on', reason: opts.reason } });
      if (opts.json) printRecord(m, true);
      else process.stdout.write(`${m.name}: ${m.health}${state === 'off' ? ' (a health check decides whether it is good)' : ''}\n`);
    });

  machines
    .command('health <name>')
    .description('the machine\'s health history: every state change, who made it and why')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { json?: boolean }) => {
      type Event = { at: string; fromState: string; toState: string; actor: string; reason: string };
      const body = await new ApiClient().get<Event[] | { items: Event[] }>(`/api/machines/${encodeURIComponent(name)}/health`);
      const list = Array.isArray(body) ? body : body.items;
      const rows = list.map((e) => ({ WHEN: age(e.at), FROM: e.fromState, TO: e.toState, BY: e.actor, REASON: e.reason }));
      printTable(rows, ['WHEN', 'FROM', 'TO', 'BY', 'REASON'], list, !!opts.json);
    });

  machines
    .command('add <file>')
    .description('add a machine from a YAML/JSON inventory entry plus "lab:" (admin)')
    .option('--secret <kind=env:VAR|file:PATH>', 'a credential the entry references as stored:KIND (repeatable)', readSecret, {})
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { secret: Record<string, string>; json?: boolean }) => {
      let body: Record<string, unknown>;
      try {
        body = parseYaml(readInput(file, 256 * 1024)) as Record<string, unknown>;
      } catch (e) {
        throw new CliError(`${file}: not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`, ExitCode.usage);
      }
      if (!body || typeof body !== 'object') throw new CliError(`${file}: expected a machine entry (a mapping)`, ExitCode.usage);
      if (Object.keys(opts.secret).length) body = { ...body, secrets: { ...(body.secrets as object), ...opts.secret } };
      const m = await new ApiClient().request<Machine>('POST', '/api/machines', { json: body });
      if (opts.json) printRecord(m, true);
      else process.stdout.write(`added ${m.name} (${m.arch}, ${m.platform}) to lab ${m.lab}; health ${m.health} until its first health check\n`);
    });
}
