import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { BuildStatus, StoredBuildProgress } from '../db/entities/build.entity';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { REDIS } from '../queue/redis.provider';
import { RedisChannelFanout } from '../streams/redis-channel-fanout';

/** What the recorder announces after it stored a build event: the new progress, or that the build is over. */
export type BuildLiveUpdate =
  | { kind: 'progress'; buildId: string; progress: StoredBuildProgress }
  | { kind: 'finished'; buildId: string; status: BuildStatus };

/** Pub/sub channel of one build's live updates (under the deployment's key prefix). */
export const buildLiveChannel = (prefix: string, buildId: string) => `${prefix}:build-live.v1.${buildId}`;

/**
 * Live build progress over Redis pub/sub, the way ConsoleLiveHub does the
 * console: the recorder publishes each stored update (from whichever server
 * process took the event), and every process keeps one subscriber
 * connection shared by all of its viewers, subscribed only to the builds
 * someone is watching.
 */
@Injectable()
export class BuildLiveHub implements OnModuleDestroy {
  private readonly log = new Logger(BuildLiveHub.name);
  private readonly fanout: RedisChannelFanout<BuildLiveUpdate>;

  constructor(
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.fanout = new RedisChannelFanout(config.redisUrl);
  }

  /** Best effort: a viewer that misses an update catches up from the database (BuildLiveController's safety read). */
  async publish(update: BuildLiveUpdate): Promise<void> {
    await this.redis.publish(buildLiveChannel(this.config.redisPrefix, update.buildId), JSON.stringify(update)).catch((e: Error) => {
      this.log.warn(`could not publish build ${update.buildId}'s ${update.kind} update: ${e.message}`);
    });
  }

  subscribe(buildId: string, listener: (u: BuildLiveUpdate) => void): Promise<() => Promise<void>> {
    return this.fanout.subscribe(buildLiveChannel(this.config.redisPrefix, buildId), listener);
  }

  onModuleDestroy(): void {
    this.fanout.close();
  }
}
