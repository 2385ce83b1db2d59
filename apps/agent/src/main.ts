import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport } from '@nestjs/microservices';
import { redisAddress } from '@pfnlab/contracts';
import { loadAgentConfig } from './agent-config';
import { AgentModule } from './agent.module';
import { loadInventory } from './inventory-loader';

/*
 * The lab-site agent process, a Nest microservice on the Redis transport.
 * Configuration: PFNLAB_INVENTORY, PFNLAB_AGENT_TOKEN, REDIS_URL,
 * PFNLAB_REDIS_PREFIX, PFNLAB_AGENT_STATE_DIR (see .env.example). SIGTERM
 * ends cleanly: running runs end as ERROR and their machines are powered off.
 */
async function main(): Promise<void> {
  const config = loadAgentConfig();
  const lab = loadInventory(config.inventoryPath).lab;
  const app = await NestFactory.createMicroservice(AgentModule.forConfig(config, lab), {
    transport: Transport.REDIS,
    options: { ...redisAddress(config.redisUrl), retryAttempts: 1_000_000, retryDelay: 1000 },
    logger: ['error', 'warn', 'log'],
  });
  app.enableShutdownHooks();
  await app.listen();
  new Logger('agent').log('ready');
}

// A stray rejection in one run must not end every run of the lab; it is a bug to log and fix.
process.on('unhandledRejection', (reason) => new Logger('agent').error(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`));
process.on('uncaughtException', (err) => {
  new Logger('agent').error(`uncaught exception, exiting (the next agent ends the interrupted runs): ${err.stack ?? err}`);
  process.exit(1);
});

main().catch((e) => {
  process.stderr.write(`pfnlab agent: ${e?.message ?? e}\n`);
  process.exit(1);
});
