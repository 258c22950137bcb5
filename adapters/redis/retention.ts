import type { Redis } from 'ioredis';
import type { Incident } from '../../src/incidents/types.js';
import type { ResolvedIncidents } from '../../src/ports.js';
import { hashTaggedPrefix } from '../../src/config/redis-keys.js';

/**
 * KEYS: 1 incident hash, 2 timeline list, 3 active zset, 4 recent zset, 5 rooms hash, 6 values hash,
 *       7 changes zset, 8 changes counter, 9 next-due zset.
 * ARGV: 1 id, 2 version exported, 3 timeline length exported, 4 room,
 *       5 its alert group's mapping field ('' when none), removed only while it still names this incident.
 * Removes only a resolved incident still at the exported version and length (1), else nothing (0).
 * The removal is a change too: the change feed names the id once more, so
 * every replica drops it from its knowledge index (the member stays as a
 * few-byte tombstone).
 */
const REMOVE_RESOLVED_LUA = `
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then return 0 end
local doc = redis.call('HGET', KEYS[1], 'doc')
if not doc then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'version')) ~= tonumber(ARGV[2]) then return 0 end
if cjson.decode(doc).status ~= 'resolved' then return 0 end
if redis.call('LLEN', KEYS[2]) ~= tonumber(ARGV[3]) then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[9], ARGV[1])
if redis.call('HGET', KEYS[5], ARGV[4]) == ARGV[1] then redis.call('HDEL', KEYS[5], ARGV[4]) end
redis.call('HDEL', KEYS[6], 'board-ref:' .. ARGV[1], 'board-drawn:' .. ARGV[1], 'alert-seen:' .. ARGV[1])
if ARGV[5] ~= '' and redis.call('HGET', KEYS[6], ARGV[5]) == ARGV[1] then redis.call('HDEL', KEYS[6], ARGV[5]) end
redis.call('ZADD', KEYS[7], redis.call('INCR', KEYS[8]), ARGV[1])
return 1
`;

const PAGE = 200;

/**
 * Resolved incidents leaving Redis (muster archive), beside the RedisStore on
 * the same client and prefix. The key layout is the store's (incident:<id>,
 * timeline:<id>, active, recent, rooms, values); the store contract suite
 * checks that what is removed here is gone from the store.
 */
export class RedisResolvedIncidents implements ResolvedIncidents {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    options: { prefix: string },
  ) {
    this.prefix = hashTaggedPrefix(options.prefix);
    redis.defineCommand('musterRemoveResolved', { lua: REMOVE_RESOLVED_LUA, numberOfKeys: 9 });
  }

  /** Walks the all-incidents index by number, a page at a time: an offline job, never on a bot's path. */
  async resolvedBefore(before: number, limit: number, after = 0): Promise<Incident[]> {
    const found: Incident[] = [];
    let from = after;
    while (found.length < limit) {
      const ids = await this.redis.zrangebyscore(this.key('recent'), `(${from}`, '+inf', 'WITHSCORES', 'LIMIT', 0, PAGE);
      if (ids.length === 0) break;
      const page: string[] = [];
      for (let i = 0; i < ids.length; i += 2) page.push(ids[i]!);
      from = Number(ids[ids.length - 1]);
      for (const doc of await this.docs(page)) {
        if (typeof doc !== 'string') continue;
        const incident = JSON.parse(doc) as Incident;
        if (incident.status === 'resolved' && (incident.resolvedAt ?? Infinity) < before) found.push(incident);
        if (found.length >= limit) break;
      }
    }
    return found;
  }

  async removeResolved(id: string, version: number, events: number): Promise<boolean> {
    const doc = await this.redis.hget(this.key(`incident:${id}`), 'doc');
    if (!doc) return false;
    const { room, alerts } = JSON.parse(doc) as Incident;
    const group = alerts ? `alert-incident:${alerts.key}` : '';
    const keys = ['incident:' + id, 'timeline:' + id, 'active', 'recent', 'rooms', 'values', 'changes', 'changes:seq', 'due'].map((suffix) => this.key(suffix));
    const remove = (this.redis as unknown as { musterRemoveResolved: (...args: Array<string | number>) => Promise<number> }).musterRemoveResolved;
    return (await remove.call(this.redis, ...keys, id, version, events, room, group)) === 1;
  }

  private async docs(ids: string[]): Promise<unknown[]> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.key(`incident:${id}`), 'doc');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, doc]) => {
      if (error) throw error;
      return doc;
    });
  }

  private key(suffix: string): string {
    return `${this.prefix}${suffix}`;
  }
}
