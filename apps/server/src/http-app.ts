import { type INestApplication, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Transport } from '@nestjs/microservices';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { redisAddress } from '@pfnlab/contracts';
import { AppModule } from './app.module';
import type { ServerConfig } from './config/server-config';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** Creates the HTTP application (not listening yet): body parsers, OpenAPI, shutdown hooks. */
export async function createHttpApp(config: ServerConfig, opts: { logger?: boolean } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), {
    rawBody: true,
    bodyParser: true,
    logger: opts.logger === false ? false : LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
  });
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('text', { type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'], limit: '300kb' });
  app.set('trust proxy', 'loopback');
  app.enableShutdownHooks();
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('pfnlab API')
      .setDescription('Lab controller for Linux memory-management kernel testing: machines, jobs, runs, builds, crashes.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API token (pfn_...) from `pfnlab login` or an admin.' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/openapi.json' });
  if (config.roles.api) {
    // The agents' control channel: request/response over Redis (see libs/contracts agent-protocol).
    app.connectMicroservice({
      transport: Transport.REDIS,
      options: { ...redisAddress(config.redisUrl), retryAttempts: 1_000_000, retryDelay: 1000 },
    });
    await app.startAllMicroservices();
  }
  return app;
}

export async function startHttpApp(config: ServerConfig): Promise<INestApplication> {
  const app = await createHttpApp(config);
  await app.listen(config.port, config.host);
  new Logger('pfnlab').log(`server listening on http://${config.host}:${config.port} (API docs at /api/docs)`);
  return app;
}
