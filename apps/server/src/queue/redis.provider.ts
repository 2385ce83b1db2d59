import IORedis, { type Redis } from 'ioredis';

export const REDIS = Symbol('REDIS');

/**
 * The server's Redis connection. Commands fail fast while Redis is away
 * (no offline queue), and reconnects keep retrying in the background, so a
 * Redis restart costs requests made during it, not a server restart.
 */
export function createRedis(url: string): Redis {
  const redis = new IORedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  });
  redis.on('error', () => undefined);
  return redis;
}
