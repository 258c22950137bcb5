import { z } from 'zod';
import type { ConfigProblem } from './problems.js';

/**
 * Where production Redis is: one server (REDIS_URL) or the primary a group of
 * Sentinels names (REDIS_SENTINELS + REDIS_SENTINEL_NAME). Parsed here, with
 * the rest of the environment; the composition root turns it into ioredis
 * options (src/main/redis-clients.ts).
 */
export interface SentinelAddress {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'server'; url: string }
  /** `url`, when REDIS_URL is also set, lends its credentials, database and TLS; its host is ignored. */
  | { kind: 'sentinel'; sentinels: SentinelAddress[]; name: string; url?: string };

const SENTINELS_HINT = 'write host:port pairs separated by commas, like sentinel-1:26379,sentinel-2:26379,sentinel-3:26379';

/** "host:port", "[::1]:26379"; undefined when it is not one. */
function parseAddress(text: string): SentinelAddress | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

export function sentinelsSchema(text: z.ZodType<string | undefined, unknown>) {
  return text.transform((value, ctx): SentinelAddress[] | undefined => {
    if (value === undefined) return undefined;
    const parts = value.split(',').filter((part) => part.trim() !== '');
    const addresses = parts.map(parseAddress);
    const bad = parts.filter((_, index) => addresses[index] === undefined);
    if (parts.length === 0 || bad.length > 0) {
      const which = bad.length > 0 ? `"${bad.join('", "')}" is not host:port; ` : '';
      ctx.addIssue({ code: 'custom', message: `${which}${SENTINELS_HINT}` });
      return z.NEVER;
    }
    return addresses as SentinelAddress[];
  });
}

export function sentinelNameSchema(text: z.ZodType<string | undefined, unknown>) {
  return text.refine(
    (value) => value === undefined || /^[\w.-]+$/.test(value),
    'write the primary\'s name as the Sentinels know it (sentinel monitor <name> …), e.g. mymaster',
  );
}

/** REDIS_SENTINELS and REDIS_SENTINEL_NAME make sense only together. */
export function sentinelPairProblems(read: { redisSentinels?: unknown; redisSentinelName?: unknown }): ConfigProblem[] {
  if (read.redisSentinels !== undefined && read.redisSentinelName === undefined) {
    return [{ file: 'environment', path: 'REDIS_SENTINEL_NAME', message: 'missing while REDIS_SENTINELS is set', hint: 'set it to the name the Sentinels monitor (sentinel monitor <name> …), e.g. mymaster' }];
  }
  if (read.redisSentinelName !== undefined && read.redisSentinels === undefined) {
    return [{ file: 'environment', path: 'REDIS_SENTINELS', message: 'missing while REDIS_SENTINEL_NAME is set', hint: `${SENTINELS_HINT}, or unset REDIS_SENTINEL_NAME` }];
  }
  return [];
}

/** Production Redis of this environment, or undefined for embedded mode. */
export function redisTarget(env: { redisUrl?: string; redisSentinels?: SentinelAddress[]; redisSentinelName?: string }): RedisTarget | undefined {
  if (env.redisSentinels && env.redisSentinelName) {
    return { kind: 'sentinel', sentinels: env.redisSentinels, name: env.redisSentinelName, ...(env.redisUrl ? { url: env.redisUrl } : {}) };
  }
  return env.redisUrl ? { kind: 'server', url: env.redisUrl } : undefined;
}
