/**
 * Request throttling on the ops server (@fastify/rate-limit's counters, an
 * LRU of bounded size, so a flood of distinct clients cannot grow memory
 * without end). Dashboard logins are limited per client and for everyone
 * together, so a distributed guesser is slowed as much as a single one; the
 * monitoring hooks per client. Limits count in fixed windows.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface Limit {
  max: number;
  windowMs: number;
}

/** 10 login attempts a minute from one address, 100 a minute from everyone. */
export const LOGIN_PER_CLIENT: Limit = { max: 10, windowMs: 60_000 };
export const LOGIN_EVERYONE: Limit = { max: 100, windowMs: 60_000 };
/** Far above what Alertmanager or a monitoring script sends; a flood is answered 503 with Retry-After so it is retried, not lost. */
export const HOOKS_PER_CLIENT: Limit = { max: 600, windowMs: 60_000 };

/** Registers the plugin's counters once on the root app (no route is limited until it asks). */
export async function enableThrottling(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, { global: false });
}

/** Undefined when the request may go on, else how long the client should wait. */
export type Throttle = (request: FastifyRequest) => Promise<{ retryAfterSeconds: number } | undefined>;

/**
 * A throttle checking each limit in turn: `client` limits count per address,
 * `everyone` limits count all requests together. A request refused by one
 * limit is not counted against the next.
 */
export function throttle(app: FastifyInstance, limits: Array<{ limit: Limit; per: 'client' | 'everyone' }>): Throttle {
  const checks = limits.map(({ limit, per }) =>
    app.createRateLimit({ max: limit.max, timeWindow: limit.windowMs, ...(per === 'everyone' ? { keyGenerator: () => 'everyone' } : {}) }),
  );
  return async (request) => {
    for (const check of checks) {
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded) return { retryAfterSeconds: Math.max(1, result.ttlInSeconds) };
    }
    return undefined;
  };
}

/**
 * Answers 503 with Retry-After, before authentication and parsing, once one
 * address passes `limit` in this scope: a flood (or a token guesser) costs one
 * counter lookup per request, and a sender that retries on 5xx loses nothing.
 */
export function throttleScope(scope: FastifyInstance, limit: Limit): void {
  const limited = throttle(scope, [{ limit, per: 'client' }]);
  scope.addHook('onRequest', async (request, reply) => {
    const wait = await limited(request);
    if (wait) return reply.code(503).header('retry-after', String(wait.retryAfterSeconds)).send({ error: 'too many requests from this address; retry later' });
    return undefined;
  });
}
