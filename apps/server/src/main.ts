import 'reflect-metadata';
import { ConfigError, loadServerConfig } from './config/server-config';
import { startHttpApp } from './http-app';

startHttpApp(loadServerConfig()).catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `pfnlab server: ${err.message}\n` : `pfnlab server failed to start: ${err?.stack ?? err}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
