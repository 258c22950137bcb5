/**
 * One IncidentStore contract, run against every implementation:
 * the embedded MemoryStore and the production RedisStore on a real Redis.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { useSharedRedis } from './shared-redis.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/memory/store.js';
import { RedisStore, isConnectionError, redactCredentials } from '../../adapters/redis/store.js';
import type { Incident, RoleSlot, TimelineEvent } from '../../src/incidents/types.js';
import type { LedgerEntry } from '../../src/audit/ledger.js';
import { StoreUnavailableError, type IncidentStore, type OutboundMessage } from '../../src/ports.js';

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

const { redis, deleteKeys } = useSharedRedis();

interface Opened {
  store: IncidentStore;
  cleanup(): Promise<void>;
}

const implementations: Array<{ name: string; open(): Opened }> = [
  { name: 'MemoryStore', open: () => ({ store: new MemoryStore(), cleanup: async () => {} }) },
  {
    name: 'RedisStore',
    open: () => {
      const prefix = `test:{${randomUUID()}}:`;
      return { store: new RedisStore(redis(), { prefix }), cleanup: () => deleteKeys(redis(), prefix) };
    },
  },
];

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-1',
    number: 1,
    title: 'Checkout is failing',
    severity: 'P1',
    status: 'assembling',
    declaredBy: 'slack:U1',
    declaredAt: T0,
    room: 'slack:C1',
    roomName: '#inc-1-checkout-is-failing',
    slots: [],
    deadlineEpoch: 1,
    version: 1,
    head: { seq: 0, hash: '' },
    ...overrides,
  };
}

function event(incidentId: string, seq: number, type: TimelineEvent['type'] = 'page.sent'): TimelineEvent {
  return {
    seq,
    incident: incidentId,
    type,
    at: T0 + seq * 1000,
    actor: 'muster',
    data: { seq },
    prevHash: `h${seq - 1}`,
    hash: `h${seq}`,
  };
}

function message(id: string, incidentId = 'INC-1'): OutboundMessage {
  return { id, incident: incidentId, kind: 'message', to: { kind: 'room', conversation: 'slack:C1' }, message: { text: `text of ${id}` } };
}

/** Creates an incident at version 1 with one event. */
async function declare(store: IncidentStore, overrides: Partial<Incident> = {}): Promise<Incident> {
  const created = incident(overrides);
  const ok = await store.commit({ incident: created, expectedVersion: 0, events: [event(created.id, 1, 'incident.declared')], outbox: [] });
  expect(ok).toBe(true);
  return created;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(implementations)('IncidentStore contract: $name', (impl) => {
  let store: IncidentStore;
  let cleanup: () => Promise<void>;

  beforeEach(() => {
    ({ store, cleanup } = impl.open());
  });

  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('creates an incident with expectedVersion 0 and reads it back', async () => {
    expect(await store.get('INC-1')).toBeUndefined();
    const created = await declare(store);
    expect(await store.get('INC-1')).toEqual(created);
    expect(await store.timeline('INC-1')).toEqual([event('INC-1', 1, 'incident.declared')]);
  });

  it('hands out copies: mutating a returned incident changes nothing stored', async () => {
    await declare(store);
    const copy = await store.get('INC-1');
    copy!.title = 'mutated';
    expect((await store.get('INC-1'))!.title).toBe('Checkout is failing');
  });

  it('refuses a stale version and writes nothing: no incident change, events, room or outbox', async () => {
    const created = await declare(store);
    const stale = incident({ title: 'stale write', room: 'slack:C-other', status: 'resolved', version: 2 });
    const ok = await store.commit({ incident: stale, expectedVersion: 0, events: [event('INC-1', 2)], outbox: [message('m-stale')] });
    expect(ok).toBe(false);
    expect(await store.get('INC-1')).toEqual(created);
    expect(await store.timeline('INC-1')).toHaveLength(1);
    expect(await store.pendingOutbox()).toEqual([]);
    expect(await store.findByRoom('slack:C-other')).toBeUndefined();
    expect((await store.listActive()).map((i) => i.id)).toEqual(['INC-1']);
  });

  it('refuses to create over a missing incident unless expectedVersion is 0', async () => {
    const ok = await store.commit({ incident: incident({ version: 4 }), expectedVersion: 3, events: [event('INC-1', 1)], outbox: [message('m-1')] });
    expect(ok).toBe(false);
    expect(await store.get('INC-1')).toBeUndefined();
    expect(await store.timeline('INC-1')).toEqual([]);
    expect(await store.pendingOutbox()).toEqual([]);
    expect(await store.listRecent(10)).toEqual([]);
  });

  it('lets exactly one of two racing writers with the same expectedVersion win', async () => {
    await declare(store);
    const write = (title: string) =>
      store.commit({ incident: incident({ title, version: 2 }), expectedVersion: 1, events: [event('INC-1', 2)], outbox: [] });
    const results = await Promise.all([write('first'), write('second')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.timeline('INC-1')).toHaveLength(2);
    expect((await store.get('INC-1'))!.version).toBe(2);
  });

  it('appends events in order across commits', async () => {
    await declare(store);
    await store.commit({ incident: incident({ version: 2 }), expectedVersion: 1, events: [event('INC-1', 2), event('INC-1', 3)], outbox: [] });
    await store.commit({ incident: incident({ version: 3 }), expectedVersion: 2, events: [event('INC-1', 4, 'slot.acked')], outbox: [] });
    const timeline = await store.timeline('INC-1');
    expect(timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(timeline[3]).toEqual(event('INC-1', 4, 'slot.acked'));
    expect(await store.timeline('INC-404')).toEqual([]);
  });

  it('lists active incidents oldest first, excluding resolved ones', async () => {
    await declare(store, { id: 'INC-2', number: 2, room: 'slack:C2' });
    await declare(store, { id: 'INC-1', number: 1, room: 'slack:C1' });
    await declare(store, { id: 'INC-3', number: 3, room: 'slack:C3', status: 'mitigated' });
    expect((await store.listActive()).map((i) => i.id)).toEqual(['INC-1', 'INC-2', 'INC-3']);

    const resolved = incident({ id: 'INC-2', number: 2, room: 'slack:C2', status: 'resolved', resolvedAt: T0 + 60_000, version: 2 });
    expect(await store.commit({ incident: resolved, expectedVersion: 1, events: [event('INC-2', 2, 'incident.resolved')], outbox: [] })).toBe(true);
    expect((await store.listActive()).map((i) => i.id)).toEqual(['INC-1', 'INC-3']);
    expect((await store.get('INC-2'))!.status).toBe('resolved');
  });

  it('lists active drills from its own index: a drill while active, not once resolved, never a real incident', async () => {
    const drill = { scenario: 'drill-checkout', live: [], startedBy: 'muster' };
    await declare(store, { id: 'INC-1', number: 1, room: 'slack:C1' });
    await declare(store, { id: 'INC-2', number: 2, room: 'slack:C2', drill });
    await declare(store, { id: 'INC-3', number: 3, room: 'slack:C3', drill, status: 'mitigated' });
    expect((await store.listActiveDrills()).map((i) => i.id)).toEqual(['INC-2', 'INC-3']);
    const stopped = incident({ id: 'INC-2', number: 2, room: 'slack:C2', drill, status: 'resolved', resolvedAt: T0 + 60_000, version: 2 });
    expect(await store.commit({ incident: stopped, expectedVersion: 1, events: [event('INC-2', 2, 'incident.resolved')], outbox: [] })).toBe(true);
    expect((await store.listActiveDrills()).map((i) => i.id)).toEqual(['INC-3']);
  });

  it('keeps the next-due index with each commit, lists what came due soonest first, and takes a backfill', async () => {
    await store.commit({ incident: incident({ id: 'INC-1', number: 1, room: 'slack:C1' }), expectedVersion: 0, events: [], outbox: [], nextDueAt: T0 + 5_000 });
    await store.commit({ incident: incident({ id: 'INC-2', number: 2, room: 'slack:C2' }), expectedVersion: 0, events: [], outbox: [], nextDueAt: T0 + 1_000 });
    await declare(store, { id: 'INC-3', number: 3, room: 'slack:C3' });
    expect((await store.listDue(T0 + 10_000, 10)).map((i) => i.id)).toEqual(['INC-2', 'INC-1']);
    expect((await store.listDue(T0 + 2_000, 10)).map((i) => i.id)).toEqual(['INC-2']);
    expect((await store.listDue(T0 + 10_000, 1)).map((i) => i.id)).toEqual(['INC-2']);
    // A refused commit leaves the index alone; an accepted one without timers leaves it.
    expect(await store.commit({ incident: incident({ id: 'INC-2', number: 2, room: 'slack:C2', version: 3 }), expectedVersion: 2, events: [], outbox: [], nextDueAt: T0 })).toBe(false);
    expect(await store.commit({ incident: incident({ id: 'INC-2', number: 2, room: 'slack:C2', version: 2 }), expectedVersion: 1, events: [], outbox: [] })).toBe(true);
    expect((await store.listDue(T0 + 10_000, 10)).map((i) => i.id)).toEqual(['INC-1']);
    await store.reindex([{ incident: (await store.get('INC-3'))!, nextDueAt: T0 }, { incident: (await store.get('INC-1'))!, nextDueAt: undefined }]);
    expect((await store.listDue(T0 + 10_000, 10)).map((i) => i.id)).toEqual(['INC-3']);
  });

  it('pages through the pending outbox with a cursor, every message once per round', async () => {
    const many = Array.from({ length: 25 }, (_, i) => message(`m-${i}`));
    await store.commit({ incident: incident(), expectedVersion: 0, events: [], outbox: many });
    const seen: string[] = [];
    let cursor = '0';
    do {
      const page = await store.pendingOutboxPage(cursor, 10);
      seen.push(...page.messages.map((m) => m.id));
      cursor = page.cursor;
    } while (cursor !== '0');
    expect([...new Set(seen)].sort()).toEqual(many.map((m) => m.id).sort());
  });

  it('lists recent incidents of any status, newest first, up to the limit', async () => {
    await declare(store, { id: 'INC-1', number: 1, room: 'slack:C1', status: 'resolved' });
    await declare(store, { id: 'INC-2', number: 2, room: 'slack:C2' });
    await declare(store, { id: 'INC-3', number: 3, room: 'slack:C3' });
    expect((await store.listRecent(2)).map((i) => i.id)).toEqual(['INC-3', 'INC-2']);
    expect((await store.listRecent(10)).map((i) => i.id)).toEqual(['INC-3', 'INC-2', 'INC-1']);
    expect(await store.listRecent(0)).toEqual([]);
  });

  it('finds an incident by its war room', async () => {
    await declare(store, { id: 'INC-7', number: 7, room: 'discord:987' });
    expect(await store.findByRoom('discord:987')).toBe('INC-7');
    expect(await store.findByRoom('discord:000')).toBeUndefined();
  });

  it('records outbox messages as pending until delivered, and never re-adds a delivered one', async () => {
    await store.commit({ incident: incident(), expectedVersion: 0, events: [], outbox: [message('m-1'), message('m-2')] });
    expect((await store.pendingOutbox()).sort((a, b) => a.id.localeCompare(b.id))).toEqual([message('m-1'), message('m-2')]);

    expect(await store.isDelivered('m-1')).toBe(false);
    expect(await store.markDelivered('m-1')).toBe(true);
    expect(await store.markDelivered('m-1')).toBe(false);
    expect(await store.isDelivered('m-1')).toBe(true);
    expect(await store.pendingOutbox()).toEqual([message('m-2')]);

    // A later commit carrying the same message (a retried use case) must not send it again.
    await store.commit({ incident: incident({ version: 2 }), expectedVersion: 1, events: [], outbox: [message('m-1'), message('m-3')] });
    expect((await store.pendingOutbox()).map((m) => m.id).sort()).toEqual(['m-2', 'm-3']);
  });

  it('keeps a board message pending like any other', async () => {
    const board: OutboundMessage = { id: 'board-INC-1', incident: 'INC-1', kind: 'board' };
    await store.commit({ incident: incident(), expectedVersion: 0, events: [], outbox: [board] });
    expect(await store.pendingOutbox()).toEqual([board]);
  });

  it('claims a request id once until its ttl expires', async () => {
    expect(await store.claimRequest('slack-delivery-1', 60_000)).toEqual({ state: 'claimed' });
    expect(await store.claimRequest('slack-delivery-1', 60_000)).toEqual({ state: 'running' });
    expect(await store.claimRequest('slack-delivery-2', 60_000)).toEqual({ state: 'claimed' });

    expect(await store.claimRequest('short-lived', 30)).toEqual({ state: 'claimed' });
    expect(await store.claimRequest('short-lived', 30)).toEqual({ state: 'running' });
    await sleep(80);
    expect(await store.claimRequest('short-lived', 30)).toEqual({ state: 'claimed' }); // its handler died
  });

  it('remembers a request outcome; a released request runs again, a finished one is not released', async () => {
    expect(await store.claimRequest('r-ok', 60_000)).toEqual({ state: 'claimed' });
    await store.finishRequest('r-ok', '{"reply":1}', 60_000);
    expect(await store.claimRequest('r-ok', 60_000)).toEqual({ state: 'done', outcome: '{"reply":1}' });
    await store.releaseRequest('r-ok');
    expect(await store.claimRequest('r-ok', 60_000)).toEqual({ state: 'done', outcome: '{"reply":1}' });

    expect(await store.claimRequest('r-failed', 60_000)).toEqual({ state: 'claimed' });
    await store.releaseRequest('r-failed');
    expect(await store.claimRequest('r-failed', 60_000)).toEqual({ state: 'claimed' });
  });

  it('writes a request outcome with the commit that answers it, never with a refused one', async () => {
    expect(await store.claimRequest('declare-1', 60_000)).toEqual({ state: 'claimed' });
    const request = { id: 'declare-1', outcome: '{"incident":"INC-1"}', ttlMs: 60_000 };
    expect(await store.commit({ incident: incident(), expectedVersion: 0, events: [], outbox: [message('m-1')], request })).toBe(true);
    expect(await store.claimRequest('declare-1', 60_000)).toEqual({ state: 'done', outcome: '{"incident":"INC-1"}' });
    expect(await store.pendingOutbox()).toEqual([message('m-1')]);
    expect(await store.commit({ incident: incident(), expectedVersion: 0, events: [], outbox: [], request: { ...request, id: 'declare-2' } })).toBe(false);
    expect(await store.claimRequest('declare-2', 60_000)).toEqual({ state: 'claimed' });
  });

  it('writes a commit\'s values with it, and none with a refused one', async () => {
    expect(await store.commit({ incident: incident(), expectedVersion: 0, events: [], outbox: [message('m-1')], values: { 'alert-incident:g1': 'INC-1', 'alert-seen:INC-1': '{"fp":"firing"}' } })).toBe(true);
    expect(await store.getValue('alert-incident:g1')).toBe('INC-1');
    expect(await store.getValue('alert-seen:INC-1')).toBe('{"fp":"firing"}');
    expect((await store.pendingOutbox()).map((m) => m.id)).toEqual(['m-1']);
    expect(await store.commit({ incident: incident({ version: 5 }), expectedVersion: 3, events: [], outbox: [], values: { 'alert-incident:g1': 'INC-9', 'alert-incident:g2': 'INC-9' } })).toBe(false);
    expect(await store.getValue('alert-incident:g1')).toBe('INC-1');
    expect(await store.getValue('alert-incident:g2')).toBeUndefined();
  });

  it('gives a lease to one owner at a time, renews it for that owner, and lets it lapse', async () => {
    expect(await store.acquireLease('discord-gateway', 'a', 60_000)).toBe(true);
    expect(await store.acquireLease('discord-gateway', 'b', 60_000)).toBe(false);
    expect(await store.acquireLease('discord-gateway', 'a', 60_000)).toBe(true); // renewal
    await store.releaseLease('discord-gateway', 'b'); // not b's to give back
    expect(await store.acquireLease('discord-gateway', 'b', 60_000)).toBe(false);
    await store.releaseLease('discord-gateway', 'a');
    expect(await store.acquireLease('discord-gateway', 'b', 30)).toBe(true);
    await sleep(80);
    expect(await store.acquireLease('discord-gateway', 'a', 60_000)).toBe(true);
  });

  it('takes a lease with a value read under it, and writes a value as it gives the lease back', async () => {
    expect(await store.leaseWithValue('board:INC-1', 'a', 60_000, 'board-ref:INC-1')).toEqual({ value: undefined });
    expect(await store.leaseWithValue('board:INC-1', 'b', 60_000, 'board-ref:INC-1')).toBeUndefined();
    await store.setValueAndRelease('board-ref:INC-1', 'v2|3|ts-1', 'board:INC-1', 'a');
    expect(await store.getValue('board-ref:INC-1')).toBe('v2|3|ts-1');
    expect(await store.leaseWithValue('board:INC-1', 'b', 60_000, 'board-ref:INC-1')).toEqual({ value: 'v2|3|ts-1' });
    // Not a's lease any more: the value is written, b keeps the lease.
    await store.setValueAndRelease('board-ref:INC-1', 'v2|4|ts-1', 'board:INC-1', 'a');
    expect(await store.getValue('board-ref:INC-1')).toBe('v2|4|ts-1');
    expect(await store.acquireLease('board:INC-1', 'a', 60_000)).toBe(false);
  });

  it('claims a delivery for one worker, and says when it was delivered already', async () => {
    expect(await store.claimDelivery('m-1', 'worker-a', 60_000)).toBe('claimed');
    expect(await store.claimDelivery('m-1', 'worker-b', 60_000)).toBe('busy');
    await store.markDelivered('m-1');
    expect(await store.claimDelivery('m-1', 'worker-b', 60_000)).toBe('delivered');
    expect(await store.claimDelivery('m-2', 'worker-a', 30)).toBe('claimed');
    await sleep(80);
    // The first worker died mid-attempt: the message may be on the platform already.
    expect(await store.claimDelivery('m-2', 'worker-b', 60_000)).toBe('retried');
    await store.releaseLease('send:m-2', 'worker-b');
    await store.forgetAttempt('m-2'); // that attempt got a 429: nothing reached the platform
    expect(await store.claimDelivery('m-2', 'worker-c', 60_000)).toBe('claimed');
    await store.markDelivered('m-2');
    expect(await store.claimDelivery('m-2', 'worker-d', 60_000)).toBe('delivered');
  });

  it('takes send claims with a commit: held by the committer as claimDelivery would, and only for messages written fresh', async () => {
    await store.markDelivered('m-old');
    const claims = { owner: 'committer', ttlMs: 30, ids: ['m-1', 'm-3', 'm-old'] };
    const outbox = [message('m-1'), message('m-2'), message('m-3'), message('m-old')];
    expect(await store.commit({ incident: incident(), expectedVersion: 0, events: [event('INC-1', 1)], outbox, claims })).toBe(true);
    expect((await store.pendingOutbox()).map((m) => m.id).sort()).toEqual(['m-1', 'm-2', 'm-3']);
    expect(await store.claimDelivery('m-1', 'worker-b', 60_000)).toBe('busy');
    expect(await store.claimDelivery('m-3', 'worker-b', 60_000)).toBe('busy');
    expect(await store.claimDelivery('m-2', 'worker-b', 60_000)).toBe('claimed'); // not claimed by the commit
    expect(await store.claimDelivery('m-old', 'worker-b', 60_000)).toBe('delivered');
    // The committer died before its attempt finished: once the claim lapses, the next worker is told to look first.
    await sleep(80);
    expect(await store.claimDelivery('m-1', 'worker-b', 60_000)).toBe('retried');
    // A refused commit (a version conflict) claims nothing.
    const refused = { owner: 'loser', ttlMs: 60_000, ids: ['m-9'] };
    expect(await store.commit({ incident: incident({ version: 1 }), expectedVersion: 0, events: [], outbox: [message('m-9')], claims: refused })).toBe(false);
    expect(await store.claimDelivery('m-9', 'worker-b', 60_000)).toBe('claimed');
  });

  it('checks a page fence with the claim: claimed while the slot pages at that epoch, superseded once it moved on', async () => {
    const slot = (state: RoleSlot['state'], epoch: number): RoleSlot => ({ role: 'tech', team: 'core', state, startedAt: T0, epoch, nextStep: 1, chain: [], pages: [] });
    const fence = { incident: 'INC-1', role: 'tech', epoch: 1 };
    expect(await store.claimDelivery('page-gone', 'w', 60_000, fence)).toBe('superseded'); // no such incident
    await declare(store, { slots: [slot('paging', 1)] });
    expect(await store.claimDelivery('page-1', 'w', 60_000, fence)).toBe('claimed');
    expect(await store.claimDelivery('page-2', 'w', 60_000, { ...fence, epoch: 2 })).toBe('superseded');
    expect(await store.claimDelivery('page-3', 'w', 60_000, { ...fence, role: 'ops' })).toBe('superseded');
    const acked = incident({ version: 2, slots: [slot('acked', 2)] });
    expect(await store.commit({ incident: acked, expectedVersion: 1, events: [], outbox: [] })).toBe(true);
    expect(await store.claimDelivery('page-4', 'w', 60_000, fence)).toBe('superseded');
    const repaged = incident({ version: 3, slots: [slot('paging', 3)] });
    expect(await store.commit({ incident: repaged, expectedVersion: 2, events: [], outbox: [] })).toBe(true);
    expect(await store.claimDelivery('page-5', 'w', 60_000, { ...fence, epoch: 3 })).toBe('claimed');
    const resolved = incident({ version: 4, status: 'resolved', slots: [slot('paging', 3)] });
    expect(await store.commit({ incident: resolved, expectedVersion: 3, events: [], outbox: [] })).toBe(true);
    expect(await store.claimDelivery('page-6', 'w', 60_000, { ...fence, epoch: 3 })).toBe('superseded');
    // A superseded claim is still a claim: nobody else sends it meanwhile.
    expect(await store.claimDelivery('page-6', 'other', 60_000)).toBe('busy');
  });

  it('hands out incident numbers that increase and never repeat', async () => {
    expect(await store.nextIncidentNumber()).toBe(1);
    expect(await store.nextIncidentNumber()).toBe(2);
    const parallel = await Promise.all(Array.from({ length: 10 }, () => store.nextIncidentNumber()));
    expect(new Set(parallel).size).toBe(10);
    expect(Math.min(...parallel)).toBe(3);
    expect(Math.max(...parallel)).toBe(12);
  });

  it('reports the incident counter without moving it', async () => {
    expect(await store.incidentCount()).toBe(0);
    await store.nextIncidentNumber();
    await store.nextIncidentNumber();
    expect(await store.incidentCount()).toBe(2);
    expect(await store.incidentCount()).toBe(2);
  });

  it('writes the ledger entry with the creating commit, never on a refused one, and never overwrites it', async () => {
    const entry = (title: string): LedgerEntry => ({ number: 1, incident: 'INC-1', declaredAt: T0, first: `first-${title}`, mac: `mac-${title}` });
    expect(await store.ledger()).toEqual([]);
    const created = incident();
    expect(await store.commit({ incident: created, expectedVersion: 0, events: [event('INC-1', 1, 'incident.declared')], outbox: [], ledger: entry('a') })).toBe(true);
    // A refused commit (stale version) writes no ledger entry either.
    expect(await store.commit({ incident: incident({ id: 'INC-2', number: 2 }), expectedVersion: 5, events: [], outbox: [], ledger: { ...entry('b'), number: 2, incident: 'INC-2' } })).toBe(false);
    // A later write carrying an entry for the same number does not replace the first.
    expect(await store.commit({ incident: incident({ version: 2 }), expectedVersion: 1, events: [event('INC-1', 2)], outbox: [], ledger: entry('c') })).toBe(true);
    expect(await store.ledger()).toEqual([entry('a')]);
    await store.commit({ incident: incident({ id: 'INC-3', number: 3, room: 'slack:C3' }), expectedVersion: 0, events: [event('INC-3', 1)], outbox: [] });
    expect(await store.ledger()).toEqual([entry('a')]);
  });

  it('names every committed incident in the change feed once, in the order of its last change, from any cursor', async () => {
    expect(await store.changedSince(0, 0)).toEqual({ cursor: 0, ids: [] });
    await declare(store);
    await declare(store, { id: 'INC-2', number: 2, room: 'slack:C2' });
    const start = await store.changedSince(0, 0);
    expect(start.ids).toEqual([]);
    expect((await store.changedSince(0, 10)).ids).toEqual(['INC-1', 'INC-2']);
    // A refused commit is no change; an accepted one moves its incident to the end.
    expect(await store.commit({ incident: incident({ version: 5 }), expectedVersion: 4, events: [], outbox: [] })).toBe(false);
    expect((await store.changedSince(start.cursor, 10)).ids).toEqual([]);
    expect(await store.commit({ incident: incident({ version: 2 }), expectedVersion: 1, events: [event('INC-1', 2)], outbox: [] })).toBe(true);
    const next = await store.changedSince(start.cursor, 10);
    expect(next.ids).toEqual(['INC-1']);
    expect((await store.changedSince(0, 10)).ids).toEqual(['INC-2', 'INC-1']);
    // Paging: a limit and the returned cursor walk the feed without gaps.
    const first = await store.changedSince(0, 1);
    expect(first.ids).toEqual(['INC-2']);
    expect((await store.changedSince(first.cursor, 1)).ids).toEqual(['INC-1']);
    expect(await store.changedSince(next.cursor, 10)).toEqual({ cursor: next.cursor, ids: [] });
    expect((await store.changedSince(0, 0)).cursor).toBe(next.cursor);
    // The feed's readers skip what they saw: each id's stored version in one call, undefined when it is gone.
    expect(await store.versions(['INC-2', 'INC-1', 'INC-404'])).toEqual([1, 2, undefined]);
    expect(await store.versions([])).toEqual([]);
  });

  it('stores small values', async () => {
    expect(await store.getValue('board:INC-1')).toBeUndefined();
    await store.setValue('board:INC-1', 'slack:C1/1700000000.0001');
    expect(await store.getValue('board:INC-1')).toBe('slack:C1/1700000000.0001');
    await store.setValue('board:INC-1', 'slack:C1/1700000000.0002');
    expect(await store.getValue('board:INC-1')).toBe('slack:C1/1700000000.0002');
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe('RedisStore with records written before page fences were stored', () => {
  it('checks the fence against the record itself', async () => {
    const prefix = `test:{${randomUUID()}}:`;
    const store = new RedisStore(redis(), { prefix });
    try {
      const paging = incident({ slots: [{ role: 'tech', team: 'core', state: 'paging', startedAt: T0, epoch: 1, nextStep: 1, chain: [], pages: [] }] });
      await redis().hset(`${prefix}incident:INC-1`, 'version', '1', 'doc', JSON.stringify(paging));
      expect(await store.claimDelivery('old-1', 'w', 60_000, { incident: 'INC-1', role: 'tech', epoch: 1 })).toBe('claimed');
      expect(await store.claimDelivery('old-2', 'w', 60_000, { incident: 'INC-1', role: 'tech', epoch: 2 })).toBe('superseded');
    } finally {
      await deleteKeys(redis(), prefix);
    }
  });
});

describe('RedisStore with records written before the due and drill indexes', () => {
  it('puts an active drill and its next due time back into the indexes when reindexed (the start-up pass)', async () => {
    const prefix = `test:{${randomUUID()}}:`;
    const store = new RedisStore(redis(), { prefix });
    try {
      const drill = incident({ id: 'INC-4', number: 4, room: 'slack:C4', drill: { scenario: 'drill-checkout', live: [], startedBy: 'muster' } });
      await redis().hset(`${prefix}incident:INC-4`, 'version', '1', 'doc', JSON.stringify(drill));
      await redis().zadd(`${prefix}active`, 4, 'INC-4');
      expect(await store.listActiveDrills()).toEqual([]);
      await store.reindex([{ incident: drill, nextDueAt: T0 }]);
      expect((await store.listActiveDrills()).map((i) => i.id)).toEqual(['INC-4']);
      expect((await store.listDue(T0, 10)).map((i) => i.id)).toEqual(['INC-4']);
    } finally {
      await deleteKeys(redis(), prefix);
    }
  });
});

describe('RedisStore when Redis is unreachable', () => {
  const password = 'hunter2-very-secret';
  const unreachable: Array<{ name: string; connect(): Redis }> = [
    {
      name: 'offline queue disabled',
      connect: () =>
        new Redis(`redis://:${password}@127.0.0.1:1`, {
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          connectTimeout: 200,
          retryStrategy: () => null,
        }),
    },
    {
      name: 'no reconnection',
      connect: () =>
        new Redis({ host: '127.0.0.1', port: 1, password, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 200, retryStrategy: () => null }),
    },
  ];

  it.each(unreachable)('raises StoreUnavailableError without the password ($name)', async ({ connect }) => {
    const client = connect();
    client.on('error', () => {});
    const store = new RedisStore(client, { prefix: 'test:unreachable:' });
    const calls: Array<() => Promise<unknown>> = [
      () => store.get('INC-1'),
      () => store.commit({ incident: incident(), expectedVersion: 0, events: [], outbox: [message('m-1')] }),
      () => store.claimRequest('r-1', 1000),
      () => store.nextIncidentNumber(),
      () => store.markDelivered('m-1'),
      () => store.ping(),
    ];
    try {
      for (const call of calls) {
        const error = await call().then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(StoreUnavailableError);
        const text = `${String(error)} ${(error as Error).stack ?? ''}`;
        expect(text).toMatch(/Redis store unavailable at 127\.0\.0\.1:1 while/);
        expect(text).not.toContain(password);
      }
    } finally {
      client.disconnect();
    }
  });

  it('lets errors that are not connection problems through unchanged', async () => {
    const prefix = `test:{${randomUUID()}}:`;
    const store = new RedisStore(redis(), { prefix });
    try {
      await redis().set(`${prefix}incident:INC-1`, 'not a hash');
      const error = await store.get('INC-1').catch((err: unknown) => err);
      expect(error).not.toBeInstanceOf(StoreUnavailableError);
      expect(String(error)).toMatch(/WRONGTYPE/);
    } finally {
      await deleteKeys(redis(), prefix);
    }
  });

  it('classifies connection errors and redacts credentials', () => {
    expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isConnectionError(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('Reached the max retries per request limit (which is 0).'), { name: 'MaxRetriesPerRequestError' }))).toBe(true);
    expect(isConnectionError(new Error('Command timed out'))).toBe(true);
    expect(isConnectionError(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
    expect(isConnectionError('ECONNREFUSED')).toBe(false);
    expect(redactCredentials('cannot reach redis://muster:s3cret@redis.internal:6379/0')).toBe(
      'cannot reach redis://muster:***@redis.internal:6379/0',
    );
    expect(redactCredentials('rediss://:s3cret@host')).toBe('rediss://:***@host');
  });
});
