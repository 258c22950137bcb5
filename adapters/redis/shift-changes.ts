import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../src/ports.js';
import type { ChangeFilter, InsertResult, ShiftChangeStore } from '../../src/schedules/ports.js';
import { changeEnd, changeStart, OPEN_STATUSES, type ShiftChange } from '../../src/schedules/types.js';
import { redactCredentials } from './store.js';

/**
 * Shift changes in Redis. Keys (all under one hash tag, so the scripts work on
 * a Cluster): docs hash id → JSON; open:<team>:<position> zset of pending and
 * accepted ids scored by their last end; byend zset of every id by last end;
 * salts hash feed → salt; counter.
 *
 * The overlap check and the insert run in one Lua script, so two replicas can
 * never both accept overlapping changes for one team and position.
 */

/**
 * KEYS: 1 docs, 2 open zset, 3 byend. ARGV: 1 id, 2 json, 3 allowOverlap (1|0),
 * 4 end, 5 open (1|0), 6 min start, 7 leg count, then (start, end) per leg.
 * Returns {1, overlapped docs...} when written, {0, conflicting docs...} when refused.
 */
const INSERT_LUA = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {0, existing} end
local legs = tonumber(ARGV[7])
local hits = {}
for _, other in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[6], '+inf')) do
  local doc = redis.call('HGET', KEYS[1], other)
  if doc then
    local hit = false
    for _, leg in ipairs(cjson.decode(doc).legs) do
      for i = 1, legs do
        local s = tonumber(ARGV[6 + 2 * i])
        local e = tonumber(ARGV[7 + 2 * i])
        if leg['start'] < e and s < leg['end'] then hit = true end
      end
    end
    if hit then table.insert(hits, doc) end
  end
end
if #hits > 0 and ARGV[3] ~= '1' then return {0, unpack(hits)} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[5] == '1' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1]) end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return {1, unpack(hits)}
`;

/** KEYS: 1 docs, 2 open zset, 3 byend. ARGV: 1 id, 2 expected stored version, 3 json, 4 open (1|0), 5 end. */
const UPDATE_LUA = `
local doc = redis.call('HGET', KEYS[1], ARGV[1])
if not doc then return 0 end
if tonumber(cjson.decode(doc).version) ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
return 1
`;

type Script = (...args: Array<string | number>) => Promise<unknown>;
interface Scripts {
  musterShiftInsert: Script;
  musterShiftUpdate: Script;
}

export class RedisShiftChangeStore implements ShiftChangeStore {
  private readonly scripts: Scripts;

  /** `prefix` is the store's key prefix (e.g. "muster:"); the client is injected and not closed here. */
  constructor(private readonly redis: Redis, private readonly options: { prefix: string }) {
    redis.defineCommand('musterShiftInsert', { lua: INSERT_LUA, numberOfKeys: 3 });
    redis.defineCommand('musterShiftUpdate', { lua: UPDATE_LUA, numberOfKeys: 3 });
    this.scripts = redis as unknown as Scripts;
  }

  nextChangeNumber(): Promise<number> {
    return this.guard('allocating a change number', () => this.redis.incr(this.key('counter')));
  }

  insert(change: ShiftChange, options: { allowOverlap?: boolean } = {}): Promise<InsertResult & { overlapped?: ShiftChange[] }> {
    return this.guard('recording a shift change', async () => {
      const legs = change.legs.flatMap((leg) => [leg.start, leg.end]);
      const reply = (await this.scripts.musterShiftInsert(
        this.key('docs'), this.openKey(change), this.key('byend'),
        change.id, JSON.stringify(change), options.allowOverlap ? '1' : '0', changeEnd(change),
        OPEN_STATUSES.includes(change.status) ? '1' : '0', changeStart(change), change.legs.length, ...legs,
      )) as [number, ...string[]];
      const [written, ...docs] = reply;
      const others = docs.map((doc) => JSON.parse(doc) as ShiftChange);
      return written === 1 ? { ok: true, overlapped: others } : { ok: false, conflicts: others };
    });
  }

  get(id: string): Promise<ShiftChange | undefined> {
    return this.guard('reading a shift change', async () => {
      const doc = await this.redis.hget(this.key('docs'), id);
      return doc === null ? undefined : (JSON.parse(doc) as ShiftChange);
    });
  }

  list(filter: ChangeFilter = {}): Promise<ShiftChange[]> {
    return this.guard('listing shift changes', async () => {
      const min = filter.endsAfter === undefined ? '-inf' : `(${filter.endsAfter}`;
      const ids = await this.redis.zrangebyscore(this.key('byend'), min, '+inf');
      if (ids.length === 0) return [];
      const docs = await this.redis.hmget(this.key('docs'), ...ids);
      return docs
        .filter((doc): doc is string => doc !== null)
        .map((doc) => JSON.parse(doc) as ShiftChange)
        .filter((c) => filter.team === undefined || c.team === filter.team)
        .filter((c) => filter.statuses === undefined || filter.statuses.includes(c.status))
        .sort((a, b) => changeStart(a) - changeStart(b) || a.requestedAt - b.requestedAt);
    });
  }

  update(change: ShiftChange): Promise<boolean> {
    return this.guard('updating a shift change', async () => {
      const written = await this.scripts.musterShiftUpdate(
        this.key('docs'), this.openKey(change), this.key('byend'),
        change.id, change.version - 1, JSON.stringify(change), OPEN_STATUSES.includes(change.status) ? '1' : '0', changeEnd(change),
      );
      return written === 1;
    });
  }

  feedSalt(feed: string): Promise<string | undefined> {
    return this.guard('reading a calendar feed salt', async () => (await this.redis.hget(this.key('salts'), feed)) ?? undefined);
  }

  setFeedSalt(feed: string, salt: string): Promise<void> {
    return this.guard('rotating a calendar feed salt', async () => {
      await this.redis.hset(this.key('salts'), feed, salt);
    });
  }

  private key(suffix: string): string {
    return `${this.options.prefix}{shifts}:${suffix}`;
  }

  private openKey(change: ShiftChange): string {
    return this.key(`open:${change.team}:${change.position}`);
  }

  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new StoreUnavailableError(redactCredentials(`Redis shift-change store unavailable while ${operation}: ${detail}`), { cause: err });
    }
  }
}
