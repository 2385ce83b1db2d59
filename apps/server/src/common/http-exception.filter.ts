import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isConnectionError } from './service-unavailable';

/**
 * Last line of defence for errors: HTTP errors pass through as they are;
 * connection failures become 503; anything else is a 500 whose details are
 * logged (message and stack only, never the request body, which may hold
 * credentials) and not sent to the client.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('http');

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    if (err instanceof HttpException) {
      const body = err.getResponse();
      res.status(err.getStatus()).json(typeof body === 'string' ? { statusCode: err.getStatus(), message: body } : body);
      return;
    }
    const parseError = err as { type?: string; status?: number; message?: string };
    if (parseError?.type === 'entity.parse.failed' || parseError?.type === 'entity.too.large') {
      res.status(parseError.status ?? 400).json({ statusCode: parseError.status ?? 400, error: 'Bad Request', message: `malformed body: ${parseError.message}` });
      return;
    }
    if (isConnectionError(err)) {
      this.log.warn(`${req.method} ${req.path}: dependency unavailable: ${(err as Error).message}`);
      res.status(503).json({ statusCode: 503, error: 'Service Unavailable', message: 'a dependency (PostgreSQL or Redis) is unavailable; try again later' });
      return;
    }
    this.log.error(`${req.method} ${req.path}: ${(err as Error)?.stack ?? String(err)}`);
    res.status(500).json({ statusCode: 500, error: 'Internal Server Error', message: 'internal error; see the server log' });
  }
}
