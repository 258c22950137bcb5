import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect } from 'vitest';
import { TEST_AUDIT_SECRET } from '../support/audit-key.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A CLI test's own corner of the real Redis: a unique MUSTER_REDIS_PREFIX, a
 * client to look at (and tamper with) its keys, and a temp folder for
 * scripts. Every key under the prefix is deleted afterwards, checked.
 */
export function redisSandbox(name: string) {
  const prefix = `e2e-${name}-{${randomUUID()}}:`;
  const sandbox = { prefix, env: { REDIS_URL, MUSTER_REDIS_PREFIX: prefix, MUSTER_AUDIT_KEY: TEST_AUDIT_SECRET }, redis: undefined as unknown as Redis, dir: '', keys };

  async function keys(): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await sandbox.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  }

  beforeAll(async () => {
    sandbox.redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await sandbox.redis.connect();
    sandbox.dir = mkdtempSync(join(tmpdir(), `muster-e2e-${name}-`));
  });

  afterAll(async () => {
    if (sandbox.redis) {
      const left = await keys();
      for (let i = 0; i < left.length; i += 200) await sandbox.redis.del(...left.slice(i, i + 200));
      expect(await keys()).toEqual([]);
      sandbox.redis.disconnect();
    }
    if (sandbox.dir) rmSync(sandbox.dir, { recursive: true, force: true });
  });

  return sandbox;
}
