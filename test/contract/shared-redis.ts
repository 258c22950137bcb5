import { Redis } from 'ioredis';
import { afterAll } from 'vitest';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * One lazily opened Redis client per contract file, quit after the file, and
 * a SCAN+DEL of a test's prefix. Call at the top level of the test file.
 */
export function useSharedRedis() {
  let shared: Redis | undefined;
  afterAll(async () => {
    await shared?.quit();
  });
  const redis = (): Redis => (shared ??= new Redis(REDIS_URL, { maxRetriesPerRequest: 1 }));
  const deleteKeys = async (client: Redis, prefix: string): Promise<void> => {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  };
  return { redis, deleteKeys };
}
