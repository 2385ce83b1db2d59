import { Controller, Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { agentPattern } from '@pfnlab/contracts';
import { Agent, AGENT_VERSION } from './agent';
import type { AgentConfig } from './agent-config';

/** Pattern on which an agent answers status queries (server, tools): per deployment, lab and agent. */
export function agentStatusPattern(prefix: string, lab: string, name: string): string {
  return agentPattern(prefix, `pfnlab.agent.status.v1.${lab}.${name}`);
}

/** Starts the agent with the Nest application and stops it (runs canceled as ERROR, machines recovered) on shutdown. */
class AgentLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(Agent) private readonly agent: Agent) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.agent.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.stop();
  }
}

/**
 * The agent as a Nest microservice: besides its own loop it answers
 * status requests on the Redis transport (which machines it owns, which
 * runs it executes).
 */
@Module({})
export class AgentModule {
  static forConfig(config: AgentConfig, lab: string): DynamicModule {
    @Controller()
    class AgentStatusController {
      constructor(@Inject(Agent) private readonly agent: Agent) {}

      @MessagePattern(agentStatusPattern(config.redisPrefix, lab, config.name))
      status() {
        return {
          agent: config.name,
          lab,
          version: AGENT_VERSION,
          machines: this.agent.inventory?.machines.map((m) => m.name) ?? [],
          runs: this.agent.activeRuns(),
        };
      }
    }
    return {
      module: AgentModule,
      controllers: [AgentStatusController],
      providers: [{ provide: Agent, useValue: new Agent(config) }, AgentLifecycle],
    };
  }
}
