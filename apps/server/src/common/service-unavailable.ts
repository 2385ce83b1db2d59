import { ServiceUnavailableException } from '@nestjs/common';

/**
 * Maps infrastructure failures (PostgreSQL or Redis unreachable) to a 503
 * that names the dependency, so clients retry later instead of treating a
 * lab outage as bad input.
 */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; driverError?: { code?: string } } | undefined;
  const code = e?.code ?? e?.driverError?.code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P03', '08006', '08001', '08003'].includes(code)) {
    return true;
  }
  const msg = e?.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Stream isn't writeable|Connection is closed|connect ECONNREFUSED|the database system is (starting up|shutting down)/i.test(msg);
}

export function unavailable(dependency: 'PostgreSQL' | 'Redis', err: unknown): ServiceUnavailableException {
  return new ServiceUnavailableException({
    statusCode: 503,
    error: 'Service Unavailable',
    message: `${dependency} is unavailable; nothing was saved, try again later`,
    dependency,
    cause: (err as Error)?.message?.slice(0, 200),
  });
}
