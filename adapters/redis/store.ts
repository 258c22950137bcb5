import type { Redis } from 'ioredis';
import type { LedgerEntry } from '../../src/audit/ledger.js';
import type { Incident, TimelineEvent } from '../../src/incidents/types.js';
import { isActive } from '../../src/incidents/types.js';
import type { Commit, DeliveryClaim, RequestClaim, DeliveryFence, IncidentStore, OutboundMessage } from '../../src/ports.js';
import { pageWanted, pagingEpochs } from '../../src/incidents/page-fence.js';
import { StoreUnavailableError } from '../../src/ports.js';
import { hashTaggedPrefix } from '../../src/config/redis-keys.js';
import { TickBatcher } from '../../src/kernel/tick-batch.js';
import { connectionProblem, redactCredentials } from './errors.js';
import { ACQUIRE_LEASE_LUA, CLAIM_DELIVERY_LUA, COMMIT_LUA, LEASE_WITH_VALUE_LUA, MARK_DELIVERED_LUA, RELEASE_LEASE_LUA, SET_VALUE_RELEASE_LUA, VERSIONS_LUA } from './scripts.js';

export { isConnectionError, redactCredentials } from './errors.js';

export interface RedisStoreOptions {
  /**
   * Every key this store touches starts with it, e.g. "{muster}:". A prefix
   * without a hash tag gets one ("muster:" -> "{muster}:"), so every script and
   * multi-key command stays in one Redis Cluster slot.
   */
  prefix: string;
  /** Only for symmetry with the memory store; Redis expires keys on its own clock. */
  now?: () => number;
  /** How long a delivered-message marker is kept (default 30 days). */
  deliveredTtlMs?: number;
}

const DEFAULT_DELIVERED_TTL_MS = 30 * 24 * 60 * 60 * 1000;

const CLAIMS: Record<number, DeliveryClaim> = { 0: 'busy', 1: 'claimed', 2: 'delivered', 3: 'superseded', 5: 'retried' };

type ScriptCall = (...args: Array<string | number>) => Promise<number>;
type BatchScriptCall = (...args: Array<string | number>) => Promise<number[]>;
interface ClaimCall {
  messageId: string;
  owner: string;
  ttlMs: number;
  fence?: DeliveryFence;
}

interface MusterScripts {
  musterStoreCommit: ScriptCall;
  musterStoreMarkDelivered: BatchScriptCall;
  musterStoreClaimDelivery: BatchScriptCall;
  musterStoreAcquireLease: ScriptCall;
  musterStoreReleaseLease: ScriptCall;
  musterStoreLeaseWithValue: (...args: Array<string | number>) => Promise<Array<string | number>>;
  musterStoreSetValueRelease: ScriptCall;
  musterStoreVersions: (...args: Array<string | number>) => Promise<Array<string | null>>;
}

/**
 * Production incident store on Redis. The client is injected and owned by the
 * caller (who also closes it); give it a small `maxRetriesPerRequest` or a
 * `commandTimeout` so an outage surfaces as `StoreUnavailableError` quickly
 * instead of queueing commands forever.
 *
 * Every write of a commit happens in one Lua script, so a crash or a conflict
 * never leaves half a change behind.
 */
export class RedisStore implements IncidentStore {
  private readonly prefix: string;
  private readonly deliveredTtlMs: number;
  private readonly scripts: MusterScripts;
  /** The claims and marks of one tick go in one script call each (a declare hands on eight messages at once). */
  private readonly claims = new TickBatcher<ClaimCall, number>((calls) => this.claimBatch(calls), 256);
  private readonly marks = new TickBatcher<string, boolean>((ids) => this.markBatch(ids), 256);

  constructor(
    private readonly redis: Redis,
    options: RedisStoreOptions,
  ) {
    this.prefix = hashTaggedPrefix(options.prefix);
    this.deliveredTtlMs = options.deliveredTtlMs ?? DEFAULT_DELIVERED_TTL_MS;
    redis.defineCommand('musterStoreCommit', { lua: COMMIT_LUA });
    redis.defineCommand('musterStoreMarkDelivered', { lua: MARK_DELIVERED_LUA });
    redis.defineCommand('musterStoreClaimDelivery', { lua: CLAIM_DELIVERY_LUA });
    redis.defineCommand('musterStoreAcquireLease', { lua: ACQUIRE_LEASE_LUA, numberOfKeys: 1 });
    redis.defineCommand('musterStoreReleaseLease', { lua: RELEASE_LEASE_LUA, numberOfKeys: 1 });
    redis.defineCommand('musterStoreVersions', { lua: VERSIONS_LUA });
    redis.defineCommand('musterStoreLeaseWithValue', { lua: LEASE_WITH_VALUE_LUA, numberOfKeys: 2 });
    redis.defineCommand('musterStoreSetValueRelease', { lua: SET_VALUE_RELEASE_LUA, numberOfKeys: 2 });
    this.scripts = redis as unknown as MusterScripts;
  }

  nextIncidentNumber(): Promise<number> {
    return this.guard('allocating an incident number', () => this.redis.incr(this.key('counter')));
  }

  incidentCount(): Promise<number> {
    return this.guard('reading the incident counter', async () => Number((await this.redis.get(this.key('counter'))) ?? 0));
  }

  ledger(): Promise<LedgerEntry[]> {
    return this.guard('reading the incident ledger', async () => {
      const raw = await this.redis.hvals(this.key('ledger'));
      return raw.map((entry) => JSON.parse(entry) as LedgerEntry);
    });
  }

  get(id: string): Promise<Incident | undefined> {
    return this.guard('reading an incident', async () => {
      const doc = await this.redis.hget(this.incidentKey(id), 'doc');
      return doc === null ? undefined : (JSON.parse(doc) as Incident);
    });
  }

  versions(ids: string[]): Promise<Array<number | undefined>> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.guard('reading incident versions', async () => {
      const found = await this.scripts.musterStoreVersions(ids.length, ...ids.map((id) => this.incidentKey(id)));
      return found.map((version) => (version === null ? undefined : Number(version)));
    });
  }

  listActive(): Promise<Incident[]> {
    return this.guard('listing active incidents', async () =>
      this.load(await this.redis.zrange(this.key('active'), 0, '-1')),
    );
  }

  listActiveDrills(): Promise<Incident[]> {
    return this.guard('listing active drills', async () =>
      this.load(await this.redis.zrange(this.key('drills'), 0, '-1')),
    );
  }

  listRecent(limit: number): Promise<Incident[]> {
    return this.guard('listing recent incidents', async () => {
      if (limit <= 0) return [];
      return this.load(await this.redis.zrevrange(this.key('recent'), 0, limit - 1));
    });
  }

  findByRoom(room: string): Promise<string | undefined> {
    return this.guard('finding an incident by room', async () => {
      return (await this.redis.hget(this.key('rooms'), room)) ?? undefined;
    });
  }

  commit(change: Commit): Promise<boolean> {
    const { incident, events, outbox } = change;
    // Send claims taken with the write (as claimBatch would take them): the pages' first attempts skip a round trip.
    const claimIds = new Set(change.claims?.ids);
    const claimed = outbox.flatMap((message, index) => (claimIds.has(message.id) ? [{ id: message.id, position: index + 1 }] : []));
    const claimArgs = change.claims && claimed.length > 0
      ? [change.claims.owner, Math.max(1, Math.ceil(change.claims.ttlMs)), this.deliveredTtlMs, ...claimed.map((claim) => claim.position)]
      : [];
    const keys = [
      this.incidentKey(incident.id),
      this.key(`timeline:${incident.id}`),
      this.key('active'),
      this.key('recent'),
      this.key('rooms'),
      this.key('outbox:pending'),
      this.key('ledger'),
      this.key(`request:${change.request?.id ?? '-'}`),
      this.key('changes'), this.key('changes:seq'),
      this.key('values'),
      this.key('drills'),
      this.key('due'),
      ...outbox.map((message) => this.deliveredKey(message.id)),
      ...claimed.flatMap(({ id }) => [this.key(`lease:send:${id}`), this.key(`attempt:${id}`)]),
    ];
    const args = [
      change.expectedVersion,
      incident.version,
      JSON.stringify(incident),
      incident.number,
      isActive(incident) ? (incident.drill ? '2' : '1') : '0',
      incident.room,
      incident.id,
      events.length,
      change.ledger ? String(change.ledger.number) : '',
      change.ledger ? JSON.stringify(change.ledger) : '',
      claimed.length,
      ...events.map((event) => JSON.stringify(event)),
      ...outbox.flatMap((message) => [message.id, JSON.stringify(message)]),
      ...claimArgs,
      change.nextDueAt === undefined ? '' : change.nextDueAt,
      JSON.stringify(change.values ?? {}),
      change.request?.outcome ?? '',
      change.request ? Math.max(1, Math.ceil(change.request.ttlMs)) : 0,
      JSON.stringify(pagingEpochs(incident)),
    ];
    return this.guard('committing a change', async () => {
      return (await this.scripts.musterStoreCommit(keys.length, ...keys, ...args)) === 1;
    });
  }

  changedSince(cursor: number, limit: number): Promise<{ cursor: number; ids: string[] }> {
    return this.guard('reading the change feed', async () => {
      if (limit <= 0) return { cursor: Number((await this.redis.get(this.key('changes:seq'))) ?? 0), ids: [] };
      const found = await this.redis.zrangebyscore(this.key('changes'), `(${cursor}`, '+inf', 'WITHSCORES', 'LIMIT', 0, limit);
      const ids: string[] = [];
      for (let i = 0; i < found.length; i += 2) ids.push(found[i]!);
      return { cursor: found.length > 0 ? Number(found[found.length - 1]) : cursor, ids };
    });
  }

  timeline(id: string): Promise<TimelineEvent[]> {
    return this.guard('reading a timeline', async () => {
      const raw = await this.redis.lrange(this.key(`timeline:${id}`), 0, -1);
      return raw.map((entry) => JSON.parse(entry) as TimelineEvent);
    });
  }

  listDue(until: number, limit: number): Promise<Incident[]> {
    return this.guard('listing incidents with timers due', async () =>
      this.load(await this.redis.zrangebyscore(this.key('due'), '-inf', until, 'LIMIT', 0, limit)),
    );
  }

  reindex(entries: Array<{ incident: Incident; nextDueAt: number | undefined }>): Promise<void> {
    const due = entries.filter((entry) => entry.nextDueAt !== undefined).flatMap((entry) => [entry.nextDueAt!, entry.incident.id]);
    const notDue = entries.filter((entry) => entry.nextDueAt === undefined).map((entry) => entry.incident.id);
    // Only active records come here: a drill among them belongs in the drills index (one running when that index was added).
    const drills = entries.filter((entry) => entry.incident.drill && isActive(entry.incident)).flatMap((entry) => [entry.incident.number, entry.incident.id]);
    return this.guard('rewriting the due and drill indexes', async () => {
      if (due.length > 0) await this.redis.zadd(this.key('due'), ...due);
      if (notDue.length > 0) await this.redis.zrem(this.key('due'), ...notDue);
      if (drills.length > 0) await this.redis.zadd(this.key('drills'), ...drills);
    });
  }

  pendingOutboxPage(cursor: string, count: number): Promise<{ cursor: string; messages: OutboundMessage[] }> {
    return this.guard('listing pending outbox messages', async () => {
      const [next, flat] = await this.redis.hscan(this.key('outbox:pending'), cursor, 'COUNT', count);
      const messages: OutboundMessage[] = [];
      for (let i = 1; i < flat.length; i += 2) messages.push(JSON.parse(flat[i]!) as OutboundMessage);
      return { cursor: next, messages };
    });
  }

  pendingOutbox(): Promise<OutboundMessage[]> {
    return this.guard('listing pending outbox messages', async () => {
      const raw = await this.redis.hvals(this.key('outbox:pending'));
      return raw.map((entry) => JSON.parse(entry) as OutboundMessage);
    });
  }

  markDelivered(messageId: string): Promise<boolean> {
    return this.marks.add(messageId);
  }

  private markBatch(ids: string[]): Promise<boolean[]> {
    return this.guard('marking a message delivered', async () => {
      const keys = ids.flatMap((id) => [this.deliveredKey(id), this.key('outbox:pending'), this.key(`attempt:${id}`)]);
      const fresh = await this.scripts.musterStoreMarkDelivered(keys.length, ...keys, this.deliveredTtlMs, ...ids);
      return fresh.map((one) => one === 1);
    });
  }

  forgetAttempt(messageId: string): Promise<void> {
    return this.guard('forgetting a delivery attempt', async () => {
      await this.redis.del(this.key(`attempt:${messageId}`));
    });
  }

  isDelivered(messageId: string): Promise<boolean> {
    return this.guard('checking a delivery', async () => {
      return (await this.redis.exists(this.deliveredKey(messageId))) === 1;
    });
  }

  async claimDelivery(messageId: string, owner: string, ttlMs: number, fence?: DeliveryFence): Promise<DeliveryClaim> {
    const result = await this.claims.add({ messageId, owner, ttlMs, ...(fence ? { fence } : {}) });
    if (result > 10 && fence) return pageWanted(await this.get(fence.incident), fence) ? (CLAIMS[result - 10] ?? 'busy') : 'superseded';
    return CLAIMS[result] ?? 'busy';
  }

  private claimBatch(calls: ClaimCall[]): Promise<number[]> {
    return this.guard('claiming a delivery', async () => {
      const keys = calls.flatMap(({ messageId, fence }) => {
        const delivered = this.deliveredKey(messageId);
        // Unfenced messages name their own marker as the (unread) fourth key: every key stays in the prefix's slot.
        return [delivered, this.key(`lease:send:${messageId}`), this.key(`attempt:${messageId}`), fence ? this.incidentKey(fence.incident) : delivered];
      });
      const args = calls.flatMap(({ owner, ttlMs, fence }) => [owner, Math.max(1, Math.ceil(ttlMs)), fence ? '1' : '0', fence?.role ?? '', fence?.epoch ?? 0]);
      return this.scripts.musterStoreClaimDelivery(keys.length, ...keys, this.deliveredTtlMs, ...args);
    });
  }

  acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.guard('taking a lease', async () => {
      const ttl = Math.max(1, Math.ceil(ttlMs));
      return (await this.scripts.musterStoreAcquireLease(this.key(`lease:${key}`), owner, ttl)) === 1;
    });
  }

  releaseLease(key: string, owner: string): Promise<void> {
    return this.guard('releasing a lease', async () => {
      await this.scripts.musterStoreReleaseLease(this.key(`lease:${key}`), owner);
    });
  }

  leaseWithValue(key: string, owner: string, ttlMs: number, valueKey: string): Promise<{ value: string | undefined } | undefined> {
    return this.guard('taking a lease', async () => {
      const ttl = Math.max(1, Math.ceil(ttlMs));
      const [held, value] = await this.scripts.musterStoreLeaseWithValue(this.key(`lease:${key}`), this.key('values'), owner, ttl, valueKey);
      return held === undefined ? undefined : { value: value === undefined || value === null ? undefined : String(value) };
    });
  }

  setValueAndRelease(valueKey: string, value: string, key: string, owner: string): Promise<void> {
    return this.guard('writing a value', async () => {
      await this.scripts.musterStoreSetValueRelease(this.key('values'), this.key(`lease:${key}`), valueKey, value, owner);
    });
  }

  claimRequest(requestId: string, ttlMs: number): Promise<RequestClaim> {
    return this.guard('claiming a request id', async () => {
      const ttl = Math.max(1, Math.ceil(ttlMs));
      // SET NX ... GET: claims, or returns what holds the key, in one round trip.
      const held = await this.redis.set(this.key(`request:${requestId}`), 'running', 'PX', ttl, 'NX', 'GET');
      if (held === null) return { state: 'claimed' };
      return held.startsWith('done:') ? { state: 'done', outcome: held.slice('done:'.length) } : { state: 'running' };
    });
  }

  finishRequest(requestId: string, outcome: string, ttlMs: number): Promise<void> {
    return this.guard('remembering a request', async () => {
      await this.redis.set(this.key(`request:${requestId}`), `done:${outcome}`, 'PX', Math.max(1, Math.ceil(ttlMs)));
    });
  }

  releaseRequest(requestId: string): Promise<void> {
    return this.guard('releasing a request id', async () => {
      // Only a running claim: a commit that landed after all (its reply lost) keeps the outcome it wrote.
      await this.scripts.musterStoreReleaseLease(this.key(`request:${requestId}`), 'running');
    });
  }

  getValue(key: string): Promise<string | undefined> {
    return this.guard('reading a value', async () => {
      return (await this.redis.hget(this.key('values'), key)) ?? undefined;
    });
  }

  setValue(key: string, value: string): Promise<void> {
    return this.guard('writing a value', async () => {
      await this.redis.hset(this.key('values'), key, value);
    });
  }

  ping(): Promise<void> {
    return this.guard('pinging', async () => {
      await this.redis.ping();
    });
  }

  /** The injected client belongs to the caller, which closes it; nothing to release here. */
  async close(): Promise<void> {}

  private async load(ids: string[]): Promise<Incident[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.incidentKey(id), 'doc');
    const results = (await pipeline.exec()) ?? [];
    const incidents: Incident[] = [];
    for (const [error, doc] of results) {
      if (error) throw error;
      if (typeof doc === 'string') incidents.push(JSON.parse(doc) as Incident);
    }
    return incidents;
  }

  /** Rethrows connection failures as StoreUnavailableError; anything else is a bug and passes through. */
  private async guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const problem = connectionProblem(err);
      if (problem === undefined) throw err;
      const { host, port, sentinels, name } = this.redis.options;
      const where = sentinels?.length ? ` (Sentinel primary "${name}")` : host ? ` at ${host}:${port ?? 6379}` : '';
      const detail = err instanceof Error ? ` (${err.message})` : '';
      throw new StoreUnavailableError(
        redactCredentials(`Redis store unavailable${where} while ${operation}: ${problem}${detail}`),
        { cause: err },
      );
    }
  }

  private key(suffix: string): string {
    return `${this.prefix}${suffix}`;
  }

  private incidentKey(id: string): string {
    return this.key(`incident:${id}`);
  }

  private deliveredKey(messageId: string): string {
    return this.key(`outbox:delivered:${messageId}`);
  }
}
