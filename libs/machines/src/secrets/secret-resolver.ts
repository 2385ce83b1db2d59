import { readFileSync } from 'node:fs';
import type { SecretRef, StoredSecretKind } from '@pfnlab/contracts';

export class SecretError extends Error {}

/**
 * Resolves inventory secret references on the agent: `env:NAME`,
 * `file:/path` (trailing newline dropped) and `stored:KIND` (the server
 * sends those with the run). Error messages name the reference, never the
 * value.
 */
export class SecretResolver {
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly stored: Partial<Record<StoredSecretKind, string>> = {},
  ) {}

  resolve(ref: SecretRef): string {
    const [kind, rest] = [ref.slice(0, ref.indexOf(':')), ref.slice(ref.indexOf(':') + 1)];
    switch (kind) {
      case 'env': {
        const v = this.env[rest];
        if (!v) throw new SecretError(`secret ${ref}: environment variable ${rest} is not set on this agent`);
        return v;
      }
      case 'file':
        try {
          return readFileSync(rest, 'utf8').replace(/\r?\n$/, '');
        } catch (e) {
          throw new SecretError(`secret ${ref}: cannot read ${rest} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        }
      case 'stored': {
        const v = this.stored[rest as StoredSecretKind];
        if (!v) throw new SecretError(`secret ${ref}: the server holds no ${rest} for this machine (set it with \`pfnlab machines add --secret\`)`);
        return v;
      }
      default:
        throw new SecretError(`secret reference "${ref.split(':')[0]}:..." has an unknown kind`);
    }
  }
}
