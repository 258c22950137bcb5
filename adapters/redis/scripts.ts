/** The store's Lua scripts: each runs atomically inside Redis, touching only keys of one hash-tagged prefix. */

/**
 * KEYS: 1 incident hash, 2 timeline list, 3 active zset, 4 recent zset, 5 rooms hash,
 *       6 outbox pending hash, 7 ledger hash, 8 request marker (written only with
 *       a request outcome), 9 changes zset, 10 changes counter,
 *       11 values hash, 12 active drills zset, 13 next-due zset, 14.. one delivered marker per outbox message,
 *       then per send claim 2: the claim key and the attempt marker.
 * ARGV: 1 expectedVersion, 2 version, 3 doc, 4 number, 5 active (2 an active drill, 1 active, 0 not), 6 room, 7 id,
 *       8 event count, 9 ledger number ('' when none), 10 ledger entry json, 11 send claim count,
 *       then the events, then (message id, message json) pairs, then, with
 *       send claims, their owner, claim ttl ms, attempt marker ttl ms and the
 *       (1-based) outbox position of each claimed message, then the next
 *       due time ('' for none), then the values to set (a json object, '{}' for none), then the request outcome ('' when none) and its ttl ms, then the paging epochs
 *       json (last).
 * Returns 1 when written, 0 (having written nothing) on a version conflict.
 * The incident hash holds 'version', 'doc' and 'fences' (role -> epoch of
 * each slot still paging), which CLAIM_DELIVERY_LUA reads. The changes zset
 * scores each incident by the counter value of its last commit (the change
 * feed, `changedSince`).
 */
export const COMMIT_LUA = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'doc', ARGV[3], 'fences', ARGV[#ARGV])
local id = ARGV[7]
if ARGV[5] ~= '0' then
  redis.call('ZADD', KEYS[3], ARGV[4], id)
else
  redis.call('ZREM', KEYS[3], id)
end
if ARGV[5] == '2' then
  redis.call('ZADD', KEYS[12], ARGV[4], id)
else
  redis.call('ZREM', KEYS[12], id)
end
redis.call('ZADD', KEYS[4], ARGV[4], id)
redis.call('ZADD', KEYS[9], redis.call('INCR', KEYS[10]), id)
redis.call('HSET', KEYS[5], ARGV[6], id)
if ARGV[9] ~= '' then redis.call('HSETNX', KEYS[7], ARGV[9], ARGV[10]) end
local events = tonumber(ARGV[8])
for i = 1, events do redis.call('RPUSH', KEYS[2], ARGV[11 + i]) end
if ARGV[#ARGV - 2] ~= '' then redis.call('SET', KEYS[8], 'done:' .. ARGV[#ARGV - 2], 'PX', ARGV[#ARGV - 1]) end
for field, value in pairs(cjson.decode(ARGV[#ARGV - 3])) do redis.call('HSET', KEYS[11], field, value) end
if ARGV[#ARGV - 4] ~= '' then
  redis.call('ZADD', KEYS[13], ARGV[#ARGV - 4], id)
else
  redis.call('ZREM', KEYS[13], id)
end
local first = 12 + events
local claims = tonumber(ARGV[11])
local messages = #KEYS - 13 - 2 * claims
local fresh = {}
for m = 1, messages do
  local at = first + (m - 1) * 2
  if redis.call('EXISTS', KEYS[13 + m]) == 0 then
    redis.call('HSET', KEYS[6], ARGV[at], ARGV[at + 1])
    fresh[m] = true
  end
end
local c = first + 2 * messages
for j = 1, claims do
  if fresh[tonumber(ARGV[c + 2 + j])] then
    local k = 13 + messages + (j - 1) * 2
    redis.call('SET', KEYS[k + 1], ARGV[c], 'PX', ARGV[c + 1])
    redis.call('SET', KEYS[k + 2], '1', 'NX', 'PX', ARGV[c + 2])
  end
end
return 1
`;

/**
 * Marks a batch of messages delivered (the store batches the calls of one tick).
 * KEYS: per message 3: delivered marker, pending hash, attempt marker.
 * ARGV: 1 marker ttl ms, then the message ids in order.
 * Returns per message 1 when it was newly marked, 0 when it already was.
 */
export const MARK_DELIVERED_LUA = `
local out = {}
for i = 1, #KEYS / 3 do
  local k = (i - 1) * 3
  local fresh = redis.call('SET', KEYS[k + 1], '1', 'NX', 'PX', ARGV[1])
  redis.call('HDEL', KEYS[k + 2], ARGV[i + 1])
  redis.call('DEL', KEYS[k + 3])
  if fresh then out[i] = 1 else out[i] = 0 end
end
return out
`;

/**
 * Claims a batch of deliveries (the store batches the calls of one tick).
 * KEYS: per message 4: delivered marker, claim key, attempt marker, incident hash.
 * ARGV: 1 attempt marker ttl ms, then per message 5: owner, claim ttl ms,
 *       fenced ('1' or '0'), role, epoch.
 * Returns per message 2 delivered, 0 busy, 3 claimed but superseded, else a
 * claim: 1 first attempt, 5 an earlier attempt never finished; plus 10 when
 * the record predates stored fences (the caller checks the record itself).
 */
export const CLAIM_DELIVERY_LUA = `
local function claim(delivered, lease, attempt, incident, owner, ttl, fenced, role, epoch)
  if redis.call('EXISTS', delivered) == 1 then return 2 end
  local holder = redis.call('GET', lease)
  if holder and holder ~= owner then return 0 end
  redis.call('SET', lease, owner, 'PX', ttl)
  local claimed = 1
  if redis.call('SET', attempt, '1', 'NX', 'PX', ARGV[1]) == false then claimed = 5 end
  if fenced ~= '1' then return claimed end
  local fences = redis.call('HGET', incident, 'fences')
  if not fences then
    if redis.call('EXISTS', incident) == 0 then return 3 end
    return claimed + 10
  end
  if cjson.decode(fences)[role] == tonumber(epoch) then return claimed end
  return 3
end
local out = {}
for i = 1, #KEYS / 4 do
  local k = (i - 1) * 4
  local a = 1 + (i - 1) * 5
  out[i] = claim(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5])
end
return out
`;

/** KEYS: 1 lease. ARGV: 1 owner, 2 ttl ms. Returns 1 when held by owner afterwards. */
export const ACQUIRE_LEASE_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** KEYS: 1 lease. ARGV: 1 owner. Deletes only the owner's own lease. */
export const RELEASE_LEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

/**
 * A lease and a value read under it, in one step (a board's drawn version and ref).
 * KEYS: 1 lease, 2 values hash. ARGV: 1 owner, 2 ttl ms, 3 field.
 * Returns {} while another owner holds the lease, else {1} or {1, value}.
 */
export const LEASE_WITH_VALUE_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return {} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {1, redis.call('HGET', KEYS[2], ARGV[3])}
`;

/**
 * Writes a value, then gives the lease back if `owner` still holds it, in one step.
 * KEYS: 1 values hash, 2 lease. ARGV: 1 field, 2 value, 3 owner.
 */
export const SET_VALUE_RELEASE_LUA = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
`;

/** KEYS: incident hashes. Returns each one's version field (false, read as null, for one that is gone). */
export const VERSIONS_LUA = `
local out = {}
for i = 1, #KEYS do out[i] = redis.call('HGET', KEYS[i], 'version') or false end
return out
`;
