import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Agent } from './agent';
import { loadAgentConfig } from './agent-config';

/*
 * The lab-site agent process. Configuration: PFNLAB_INVENTORY,
 * PFNLAB_AGENT_TOKEN, REDIS_URL, PFNLAB_REDIS_PREFIX, PFNLAB_AGENT_STATE_DIR
 * (see .env.example). SIGTERM finishes cleanly: running runs are canceled,
 * their machines recovered.
 */
async function main(): Promise<void> {
  const agent = new Agent(loadAgentConfig());
  await agent.start();
  const stop = () => {
    new Logger('agent').log('stopping');
    agent.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`pfnlab agent: ${e?.message ?? e}\n`);
  process.exit(1);
});
