/**
 * One ShiftChangeStore contract, run against the memory store and the Redis
 * one on a real Redis (each test under its own prefix, deleted afterwards).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryShiftChangeStore } from '../../adapters/memory/shift-changes.js';
import { RedisShiftChangeStore } from '../../adapters/redis/shift-changes.js';
import type { ShiftChangeStore } from '../../src/schedules/ports.js';
import type { ShiftChange } from '../../src/schedules/types.js';
import { REDIS_URL, useSharedRedis } from './shared-redis.js';

const { redis, deleteKeys } = useSharedRedis();
const extraClients: Redis[] = [];
afterAll(async () => {
  await Promise.all(extraClients.map((client) => client.quit()));
});

interface Implementation {
  name: string;
  /** Two handles on one store, as two replicas would have. */
  create(prefix: string): [ShiftChangeStore, ShiftChangeStore];
  cleanup(prefix: string): Promise<void>;
}

const implementations: Implementation[] = [
  {
    name: 'MemoryShiftChangeStore',
    create: () => {
      const store = new MemoryShiftChangeStore();
      return [store, store];
    },
    cleanup: async () => {},
  },
  {
    name: 'RedisShiftChangeStore',
    create: (prefix) => {
      const second = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      extraClients.push(second);
      return [new RedisShiftChangeStore(redis(), { prefix }), new RedisShiftChangeStore(second, { prefix })];
    },
    cleanup: (prefix) => deleteKeys(redis(), prefix),
  },
];

const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 9);

function change(id: string, start: number, end: number, fields: Partial<ShiftChange> = {}): ShiftChange {
  return {
    id, team: 'payments', position: 'primary', kind: 'cover', status: 'accepted',
    legs: [{ start, end, person: 'ben', replaces: 'ann' }], requestedBy: 'ann', requestedAt: T0, version: 1, ...fields,
  };
}

describe.each(implementations)('ShiftChangeStore contract: $name', (impl) => {
  let prefix = '';
  const open = () => {
    prefix = `test:shifts:${randomUUID()}:`;
    return impl.create(prefix);
  };
  afterEach(async () => impl.cleanup(prefix));

  it('numbers changes without reuse and reads back what it stored', async () => {
    const [store] = open();
    expect([await store.nextChangeNumber(), await store.nextChangeNumber()]).toEqual([1, 2]);
    const stored = change('CHG-1', T0, T0 + 4 * H, { reason: 'dentist 🦷 "quoted"' });
    expect(await store.insert(stored)).toEqual({ ok: true, overlapped: [] });
    expect(await store.get('CHG-1')).toEqual(stored);
    expect(await store.get('CHG-404')).toBeUndefined();
  });

  it('refuses an overlapping change of the same team and position, naming the conflict; edges may touch', async () => {
    const [store] = open();
    await store.insert(change('CHG-1', T0, T0 + 4 * H));
    const refused = await store.insert(change('CHG-2', T0 + 3 * H, T0 + 5 * H));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.conflicts.map((c) => c.id)).toEqual(['CHG-1']);
    expect(await store.get('CHG-2')).toBeUndefined();
    expect((await store.insert(change('CHG-3', T0 + 4 * H, T0 + 6 * H))).ok).toBe(true);
    expect((await store.insert(change('CHG-4', T0, T0 + 4 * H, { position: 'backup' }))).ok).toBe(true);
    expect((await store.insert(change('CHG-5', T0, T0 + 4 * H, { team: 'sre' }))).ok).toBe(true);
  });

  it('checks every leg of a swap, and a pending change blocks like an accepted one', async () => {
    const [store] = open();
    const swap = change('CHG-1', T0, T0 + 2 * H, {
      kind: 'swap', status: 'pending',
      legs: [{ start: T0, end: T0 + 2 * H, person: 'ben' }, { start: T0 + 100 * H, end: T0 + 102 * H, person: 'ann' }],
    });
    await store.insert(swap);
    const refused = await store.insert(change('CHG-2', T0 + 101 * H, T0 + 110 * H));
    expect(!refused.ok && refused.conflicts[0]).toEqual(swap);
  });

  it('a take may overlap and is told what it overlaps', async () => {
    const [store] = open();
    await store.insert(change('CHG-1', T0, T0 + 4 * H));
    const take = await store.insert(change('CHG-2', T0 + H, T0 + 2 * H, { kind: 'take' }), { allowOverlap: true });
    expect(take.ok).toBe(true);
    expect(take.overlapped?.map((c) => c.id)).toEqual(['CHG-1']);
  });

  it('declined and cancelled changes free their interval; updates are version-checked', async () => {
    const [store] = open();
    const first = change('CHG-1', T0, T0 + 4 * H, { status: 'pending', kind: 'swap' });
    await store.insert(first);
    const declined = { ...first, status: 'declined' as const, decidedBy: 'ben', version: 2 };
    expect(await store.update(declined)).toBe(true);
    expect(await store.update({ ...first, status: 'accepted', version: 2 })).toBe(false);
    expect(await store.get('CHG-1')).toEqual(declined);
    expect((await store.insert(change('CHG-2', T0, T0 + 4 * H))).ok).toBe(true);
    expect(await store.update(change('CHG-404', T0, T0 + H, { version: 2 }))).toBe(false);
  });

  it('lists by team, status and end, oldest start first', async () => {
    const [store] = open();
    await store.insert(change('CHG-2', T0 + 10 * H, T0 + 12 * H));
    await store.insert(change('CHG-1', T0, T0 + 2 * H));
    await store.insert(change('CHG-3', T0, T0 + 2 * H, { team: 'sre' }));
    await store.insert(change('CHG-4', T0 + 20 * H, T0 + 22 * H, { status: 'cancelled' }));
    expect((await store.list()).map((c) => c.id)).toEqual(['CHG-1', 'CHG-3', 'CHG-2', 'CHG-4']);
    expect((await store.list({ team: 'payments', statuses: ['accepted'] })).map((c) => c.id)).toEqual(['CHG-1', 'CHG-2']);
    expect((await store.list({ endsAfter: T0 + 2 * H })).map((c) => c.id)).toEqual(['CHG-2', 'CHG-4']);
  });

  it('two replicas inserting overlapping changes at once: exactly one is accepted', async () => {
    const [a, b] = open();
    for (let round = 0; round < 20; round++) {
      const start = T0 + round * 10 * H;
      const results = await Promise.all([
        a.insert(change(`CHG-a${round}`, start, start + 3 * H)),
        b.insert(change(`CHG-b${round}`, start + H, start + 4 * H)),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
    }
    expect(await a.list()).toHaveLength(20);
  });

  it('keeps calendar feed salts', async () => {
    const [store] = open();
    expect(await store.feedSalt('team:payments')).toBeUndefined();
    await store.setFeedSalt('team:payments', 's1');
    await store.setFeedSalt('team:payments', 's2');
    expect(await store.feedSalt('team:payments')).toBe('s2');
    expect(await store.feedSalt('person:ann')).toBeUndefined();
  });
});
