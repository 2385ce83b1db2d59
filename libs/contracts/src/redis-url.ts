/**
 * ioredis connection fields from a redis:// or rediss:// URL. Server and
 * agents both take REDIS_URL; every component that needs options rather
 * than a URL (BullMQ, the microservice transport) reads them from here.
 */
export function redisAddress(url: string): { host: string; port: number; username?: string; password?: string; db: number; tls?: object } {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number(u.pathname.replace('/', '') || 0),
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}
