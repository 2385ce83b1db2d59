import { Logger } from '@nestjs/common';
import IORedis from 'ioredis';
import { redisAddress, type Inventory } from '@pfnlab/contracts';
import type { AgentConfig } from './agent-config';
import { createArtifactStore, defaultArtifactStoreUrl } from './build/artifact-store/create-artifact-store';
import { BuildSlots } from './build/build-slots';
import { defaultBuildCacheDir } from './build/kernel-build';
import { RunKernelBuilder } from './build/run-kernel-builder';
import { loadInventory } from './inventory-loader';
import { recoverInterruptedRuns } from './restart-recovery';
import { RunWorker } from './run-worker';
import { ServerLink } from './server-link';

export const AGENT_VERSION = '0.1.0';
const HEARTBEAT_MS = 15_000;

/** BullMQ worker connections must wait for Redis rather than fail commands. */
function workerConnection(url: string) {
  return { ...redisAddress(url), maxRetriesPerRequest: null };
}

/**
 * One lab site's agent: registers its inventory with the server, ends runs
 * a previous instance left behind, then executes runs from its lab's queue
 * and sends heartbeats.
 */
export class Agent {
  private readonly log = new Logger('agent');
  private readonly redis: IORedis;
  private readonly link: ServerLink;
  private worker?: RunWorker;
  private heartbeat?: NodeJS.Timeout;
  private stopping = false;
  inventory!: Inventory;

  constructor(private readonly config: AgentConfig) {
    this.redis = new IORedis(config.redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', () => undefined);
    this.link = new ServerLink(config);
  }

  async start(): Promise<void> {
    this.inventory = loadInventory(this.config.inventoryPath);
    const reg = await this.link.register(this.inventory, AGENT_VERSION, () => this.stopping);
    this.log.log(`registered as ${this.config.name} of lab ${this.inventory.lab} (${reg.machines} machines)`);
    const deps = { redis: this.redis, prefix: this.config.redisPrefix, stateDir: this.config.stateDir, link: this.link, builder: this.builder() };
    const recovered = await recoverInterruptedRuns(deps, this.log);
    if (recovered.length) this.log.warn(`ended ${recovered.length} run(s) interrupted by the previous agent's end`);
    this.worker = new RunWorker(this.inventory, deps, workerConnection(this.config.redisUrl), this.config.concurrency);
    await this.worker.start();
    this.heartbeat = setInterval(() => {
      this.link.heartbeat([...(this.worker?.active.keys() ?? [])]).catch((e) => this.log.warn(`heartbeat failed: ${e.message}`));
    }, HEARTBEAT_MS);
    await this.link.heartbeat([]).catch(() => undefined);
  }

  /** The builder role, when configured: one artifact store and one set of build slots for every run. */
  private builder(): RunKernelBuilder | undefined {
    const b = this.config.builder;
    if (!b) return undefined;
    const cacheDir = b.cacheDir ?? defaultBuildCacheDir();
    const store = createArtifactStore(b.storeUrl ?? defaultArtifactStoreUrl());
    this.log.log(`builder role: artifacts in ${store.location}, ${b.slots} build(s) at once`);
    return new RunKernelBuilder({ cacheDir, store, slots: new BuildSlots(b.slots), patchDir: b.patchDir, configDir: b.configDir, retention: b.retention },
      (m) => this.log.warn(m));
  }

  /** Ids of the runs this agent executes now. */
  activeRuns(): string[] {
    return [...(this.worker?.active.keys() ?? [])];
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.heartbeat);
    await this.worker?.stop();
    await this.link.close();
    this.redis.disconnect();
  }
}
