/**
 * Resolved incidents leaving the store (muster archive), run against the
 * MemoryStore and the Redis store with RedisResolvedIncidents on a real Redis.
 * What is removed must be gone from the store itself (record, timeline,
 * indexes, room, board refs), and a fenced removal never drops a change that
 * was not exported.
 */
import { randomUUID } from 'node:crypto';
import { useSharedRedis } from './shared-redis.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/memory/store.js';
import { RedisResolvedIncidents } from '../../adapters/redis/retention.js';
import { RedisStore } from '../../adapters/redis/store.js';
import type { Incident, TimelineEvent } from '../../src/incidents/types.js';
import type { IncidentStore, ResolvedIncidents } from '../../src/ports.js';
import { archiveResolved, type ArchivedIncident } from '../../src/retention/archive.js';

const T0 = Date.UTC(2026, 0, 10, 9, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

const { redis, deleteKeys } = useSharedRedis();

interface Opened {
  store: IncidentStore;
  resolved: ResolvedIncidents;
  keys(): Promise<string[]>;
  cleanup(): Promise<void>;
}

async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis().scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

const implementations: Array<{ name: string; open(): Opened }> = [
  {
    name: 'MemoryStore',
    open: () => {
      const store = new MemoryStore();
      return { store, resolved: store, keys: async () => [], cleanup: async () => {} };
    },
  },
  {
    name: 'RedisStore',
    open: () => {
      const prefix = `test:{${randomUUID()}}:`;
      return {
        store: new RedisStore(redis(), { prefix }),
        resolved: new RedisResolvedIncidents(redis(), { prefix }),
        keys: async () => (await keysUnder(prefix)).map((key) => key.slice(prefix.length)),
        cleanup: () => deleteKeys(redis(), prefix),
      };
    },
  },
];

function event(incident: string, seq: number, type: TimelineEvent['type']): TimelineEvent {
  return { seq, incident, type, at: T0 + seq, actor: 'muster', data: {}, prevHash: `h${seq - 1}`, hash: `h${seq}` };
}

/** INC-n declared at version 1, then resolved `resolvedDaysAgo` before T0 (version 2), unless active. */
async function incidentAt(store: IncidentStore, n: number, resolvedAt?: number): Promise<Incident> {
  const base: Incident = {
    id: `INC-${n}`, number: n, title: `incident ${n}`, severity: 'P1', status: 'assembling', declaredBy: 'console:alice', declaredAt: T0 - 40 * DAY,
    room: `test:#inc-${n}`, roomName: `#inc-${n}`, slots: [], deadlineEpoch: 1, version: 1, head: { seq: 1, hash: 'h1' },
  };
  expect(await store.commit({ incident: base, expectedVersion: 0, events: [event(base.id, 1, 'incident.declared')], outbox: [] })).toBe(true);
  if (resolvedAt === undefined) return base;
  const done: Incident = { ...base, status: 'resolved', resolvedAt, version: 2, head: { seq: 2, hash: 'h2' } };
  expect(await store.commit({ incident: done, expectedVersion: 1, events: [event(base.id, 2, 'incident.resolved')], outbox: [] })).toBe(true);
  return done;
}

describe.each(implementations)('ResolvedIncidents contract: $name', (impl) => {
  let opened: Opened;
  beforeEach(() => {
    opened = impl.open();
  });
  afterEach(async () => {
    await opened.cleanup();
  });

  it('lists resolved incidents before the cut-off, by number, in pages; active ones never', async () => {
    const { store, resolved } = opened;
    await incidentAt(store, 1, T0 - 30 * DAY);
    await incidentAt(store, 2);
    await incidentAt(store, 3, T0 - 1 * DAY);
    await incidentAt(store, 4, T0 - 20 * DAY);
    const cutoff = T0 - 7 * DAY;
    expect((await resolved.resolvedBefore(cutoff, 10)).map((i) => i.id)).toEqual(['INC-1', 'INC-4']);
    expect((await resolved.resolvedBefore(cutoff, 1)).map((i) => i.id)).toEqual(['INC-1']);
    expect((await resolved.resolvedBefore(cutoff, 10, 1)).map((i) => i.id)).toEqual(['INC-4']);
    expect((await store.listActive()).map((i) => i.id)).toEqual(['INC-2']);
  });

  it('removes a resolved incident entirely, and keeps the others', async () => {
    const { store, resolved } = opened;
    const gone = await incidentAt(store, 1, T0 - 30 * DAY);
    await incidentAt(store, 2);
    await store.setValue('board-ref:INC-1', 'ref-1');
    await store.setValue('board-drawn:INC-1', '2');
    await store.setValue('board-ref:INC-2', 'ref-2');
    const before = await store.changedSince(0, 0);
    expect(await resolved.removeResolved(gone.id, 2, 2)).toBe(true);
    // Replicas learn of the removal from the change feed (their knowledge index drops it).
    expect((await store.changedSince(before.cursor, 10)).ids).toEqual(['INC-1']);

    expect(await store.get('INC-1')).toBeUndefined();
    expect(await store.timeline('INC-1')).toEqual([]);
    expect(await store.findByRoom('test:#inc-1')).toBeUndefined();
    expect(await store.getValue('board-ref:INC-1')).toBeUndefined();
    expect(await store.getValue('board-drawn:INC-1')).toBeUndefined();
    expect((await store.listRecent(10)).map((i) => i.id)).toEqual(['INC-2']);
    expect(await store.getValue('board-ref:INC-2')).toBe('ref-2');
    expect(await store.findByRoom('test:#inc-2')).toBe('INC-2');
    expect(await resolved.removeResolved(gone.id, 2, 2)).toBe(false);
    if (impl.name === 'RedisStore') {
      expect((await opened.keys()).filter((key) => key.includes('INC-1'))).toEqual([]);
    }
  });

  it('takes an incident\'s alert group mapping and seen alerts with it, never a mapping that moved on', async () => {
    const { store, resolved } = opened;
    const tally = { notifications: 1, firing: 1, resolved: 0, lastSeenAt: T0, truncated: 0, excess: 0 };
    const gone = await incidentAt(store, 1, T0 - 30 * DAY);
    const kept = await incidentAt(store, 2, T0 - 30 * DAY);
    for (const [inc, key] of [[gone, 'g1'], [kept, 'g2']] as const) {
      const withAlerts: Incident = { ...inc, alerts: { key, ...tally }, version: 3, head: { seq: 3, hash: 'h3' } };
      expect(await store.commit({ incident: withAlerts, expectedVersion: 2, events: [event(inc.id, 3, 'alert.received')], outbox: [], values: { [`alert-seen:${inc.id}`]: '{}' } })).toBe(true);
    }
    await store.setValue('alert-incident:g1', 'INC-1');
    await store.setValue('alert-incident:g2', 'INC-9');
    expect(await resolved.removeResolved('INC-1', 3, 3)).toBe(true);
    expect(await resolved.removeResolved('INC-2', 3, 3)).toBe(true);
    expect(await store.getValue('alert-incident:g1')).toBeUndefined();
    expect(await store.getValue('alert-seen:INC-1')).toBeUndefined();
    expect(await store.getValue('alert-seen:INC-2')).toBeUndefined();
    expect(await store.getValue('alert-incident:g2')).toBe('INC-9');
  });

  it('refuses to remove an active incident, or one that changed since it was read', async () => {
    const { store, resolved } = opened;
    const active = await incidentAt(store, 1);
    expect(await resolved.removeResolved(active.id, active.version, 1)).toBe(false);
    const done = await incidentAt(store, 2, T0 - 30 * DAY);
    expect(await resolved.removeResolved(done.id, 1, 2)).toBe(false); // an older version was exported
    expect(await resolved.removeResolved(done.id, 2, 1)).toBe(false); // fewer events were exported
    expect(await store.get('INC-1')).toBeDefined();
    expect((await store.get('INC-2'))?.version).toBe(2);
    expect(await store.timeline('INC-2')).toHaveLength(2);
  });

  it('archives: every removed incident was written out first, with its whole timeline', async () => {
    const { store, resolved } = opened;
    for (let n = 1; n <= 5; n += 1) await incidentAt(store, n, n === 3 ? undefined : T0 - (10 + n) * DAY);
    const written: string[] = [];
    let flushedAt = -1;
    const sink = {
      write: (lines: string[]) => void written.push(...lines),
      flush: () => void (flushedAt = written.length),
    };
    const checked: ResolvedIncidents = {
      resolvedBefore: (...args) => resolved.resolvedBefore(...args),
      removeResolved: async (id, version, events) => {
        // Nothing is removed before its line was written and flushed.
        expect(written.slice(0, flushedAt).some((line) => (JSON.parse(line) as ArchivedIncident).incident.id === id)).toBe(true);
        return resolved.removeResolved(id, version, events);
      },
    };
    const report = await archiveResolved({ store, resolved: checked, before: T0, sink });
    expect(report).toEqual({ archived: 4, kept: 0 });
    const lines = written.map((line) => JSON.parse(line) as ArchivedIncident);
    expect(lines.map((line) => line.incident.id)).toEqual(['INC-1', 'INC-2', 'INC-4', 'INC-5']);
    for (const line of lines) expect(line.timeline.map((e) => e.type)).toEqual(['incident.declared', 'incident.resolved']);
    expect((await store.listRecent(10)).map((i) => i.id)).toEqual(['INC-3']);
    expect(await archiveResolved({ store, resolved, before: T0, sink })).toEqual({ archived: 0, kept: 0 });
  });
});
