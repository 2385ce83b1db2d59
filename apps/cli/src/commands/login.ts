import type { Command } from 'commander';
import { ApiClient } from '../api-client';
import { DEFAULT_SERVER, loadCliConfig, saveCliConfig } from '../cli-config';
import { CliError, ExitCode } from '../cli-error';
import { printRecord } from '../output';
import { readInput } from '../read-input';

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('check a token against the server and remember both (in ~/.config/pfnlab/config.json, mode 0600)')
    .option('--server <url>', 'server URL', loadCliConfig().server ?? DEFAULT_SERVER)
    .requiredOption('--token <token>', 'API token; "-" reads it from stdin (keeps it out of shell history)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { server: string; token: string; json?: boolean }) => {
      const token = opts.token === '-' ? readInput('-').trim() : opts.token;
      if (!/^pfn_[A-Za-z0-9_-]{20,}$/.test(token)) throw new CliError('that does not look like a pfnlab token (pfn_...)', ExitCode.usage);
      try {
        new URL(opts.server);
      } catch {
        throw new CliError(`--server ${opts.server} is not a URL`, ExitCode.usage);
      }
      const who = await new ApiClient({ server: opts.server, token }).get<{ user: string; role: string }>('/api/auth/whoami');
      const path = saveCliConfig({ server: opts.server, token });
      printRecord({ server: opts.server, user: who.user, role: who.role, saved: path }, !!opts.json);
    });
}
