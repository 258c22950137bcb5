/**
 * ioredis clients for the Redis target of this environment: one server
 * (REDIS_URL) or the primary named by Sentinels. BullMQ takes these clients
 * (and their duplicates, which keep the Sentinel options), so the store and
 * every queue follow the same primary through a failover.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { redactUrl } from '../config/env.js';
import type { RedisTarget } from '../config/redis-target.js';

/**
 * After a failover the old primary may come back as a replica while a client
 * is still connected to it: a write then fails with READONLY. Reconnecting
 * (and resending the command) asks the Sentinels for the new primary.
 */
function reconnectOnReadonly(error: Error): 2 | false {
  return error.message.startsWith('READONLY') ? 2 : false;
}

/** Credentials, database and TLS of a redis:// URL, for a Sentinel-resolved primary. */
function urlCredentials(url: string | undefined): RedisOptions {
  if (!url) return {};
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, '') || '0');
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** A client for the target; `options` are the caller's (timeouts, retries, lazyConnect). */
export function redisClient(target: RedisTarget, options: RedisOptions): Redis {
  if (target.kind === 'server') return new Redis(target.url, options);
  return new Redis({
    ...urlCredentials(target.url),
    ...options,
    sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
    name: target.name,
    // Not failoverDetector: its +switch-master disconnect, landing while the
    // client is re-resolving the primary (the old one died), ends the client
    // for good in ioredis 6 (status "end", "Connection is closed."), which the
    // failover test caught. A dead primary drops the connection anyway, and a
    // demoted live one answers writes with READONLY, which reconnects below.
    reconnectOnError: reconnectOnReadonly,
  });
}

/** The target for logs and errors, never with a password. */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.kind === 'server') return redactUrl(target.url);
  const sentinels = target.sentinels.map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)).join(',');
  return `the primary "${target.name}" of the Sentinels ${sentinels}`;
}
