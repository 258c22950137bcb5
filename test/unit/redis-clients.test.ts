import { describe, expect, it } from 'vitest';
import { redisTarget } from '../../src/config/redis-target.js';
import { loadEnv } from '../../src/config/env.js';
import { describeRedisTarget, redisClient } from '../../src/main/redis-clients.js';

describe('Redis clients for the environment', () => {
  it('picks a Sentinel group over REDIS_URL, taking only the URL credentials, database and TLS', () => {
    const env = loadEnv({ REDIS_SENTINELS: 's1:26379,s2:26380', REDIS_SENTINEL_NAME: 'mymaster', REDIS_URL: 'rediss://ops:s3cret@ignored:6379/2' });
    const target = redisTarget(env)!;
    expect(target.kind).toBe('sentinel');
    const client = redisClient(target, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      expect(client.options).toMatchObject({
        sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }],
        name: 'mymaster',
        username: 'ops',
        password: 's3cret',
        db: 2,
        tls: {},
        maxRetriesPerRequest: 1,
      });
      expect(client.options.reconnectOnError?.(new Error('READONLY You can\'t write against a read only replica.'))).toBe(2);
      expect(client.options.reconnectOnError?.(new Error('WRONGTYPE'))).toBe(false);
    } finally {
      client.disconnect();
    }
    const shown = describeRedisTarget(target);
    expect(shown).toBe('the primary "mymaster" of the Sentinels s1:26379,s2:26380');
    expect(shown).not.toContain('s3cret');
  });

  it('uses REDIS_URL alone as one server, and nothing for embedded mode', () => {
    expect(redisTarget(loadEnv({ REDIS_URL: 'redis://:pw@cache:6379' }))).toEqual({ kind: 'server', url: 'redis://:pw@cache:6379' });
    expect(describeRedisTarget({ kind: 'server', url: 'redis://:pw@cache:6379' })).toBe('redis://:***@cache:6379');
    expect(redisTarget(loadEnv({}))).toBeUndefined();
  });
});
