/**
 * Issue 13: someone who can write to Redis but does not hold the audit key.
 * They edit an entry and re-chain everything after it with the project's own
 * functions (seq, prevHash, hash) and write the new head: verify names the
 * entry. They delete a whole incident (record, timeline, index entries, even
 * its ledger entry): verify names the incident. What the store alone cannot
 * show (the newest incident cut off with the counter) the sink does.
 */
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessOutbox } from '../../adapters/memory/outbox.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { RedisStore } from '../../adapters/redis/store.js';
import { describeAudit, verifyAudit } from '../../src/actions/audit-cli.js';
import { Muster } from '../../src/app.js';
import { chainEvents } from '../../src/audit/chain.js';
import { auditKeyFrom, randomAuditKey, unkeyedAuditKey, type AuditKey } from '../../src/audit/key.js';
import { compareWithSink } from '../../src/audit/sink-compare.js';
import { ManualClock } from '../../src/clock.js';
import type { DraftEvent, Incident, TimelineEvent } from '../../src/incidents/types.js';
import { silentLogger } from '../../src/logger.js';
import { FakeChat, testConfig } from '../support/fixture.js';
import { deleteKeys, newPrefix, REDIS_URL } from '../support/redis.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

let prefix = '';
let redis: Redis;
let muster: Muster | undefined;

beforeEach(() => {
  prefix = newPrefix();
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterEach(async () => {
  await muster?.stop();
  muster = undefined;
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

/** Three incidents on Redis, declared through the bot; every committed entry also copied to a sink. */
async function threeIncidents(key: AuditKey = TEST_AUDIT_KEY): Promise<{ store: RedisStore; sink: string[] }> {
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 9, 0, 0));
  const store = new RedisStore(redis, { prefix });
  const outbox = new InProcessOutbox({ attempts: 2, baseDelayMs: 1 });
  muster = new Muster({
    auditKey: key, config: testConfig(), store, scheduler: new InProcessScheduler(clock, { realTime: false }),
    outbox, chat: new FakeChat(), clock, logger: silentLogger,
  });
  const sink: string[] = [];
  muster.onEvent((event) => sink.push(JSON.stringify(event)));
  await muster.start({ watchdog: false });
  let request = 0;
  const say = (person: string, args: string) =>
    muster!.dispatch({ name: 'incident', args, actor: `console:${person}`, conversation: 'console:#general', requestId: `${prefix}${++request}` });
  await say('alice', 'declare Database down sev=P2 service=checkout');
  await say('alice', 'declare Payments slow sev=P3 service=checkout anyway=yes');
  await say('alice', 'declare Search broken sev=P3 service=checkout anyway=yes');
  // Page receipts are committed as deliveries finish: let them land before anyone forges.
  await outbox.idle();
  return { store, sink };
}

const draftOf = ({ seq: _s, incident: _i, prevHash: _p, hash: _h, ...draft }: TimelineEvent): DraftEvent => draft;

/** The attack of the issue: edit entry `index`, re-chain it and everything after, write the new head. */
async function forge(store: RedisStore, id: string, index: number, attackerKey: AuditKey): Promise<void> {
  const timeline = await store.timeline(id);
  const edited = timeline.map(draftOf);
  edited[index] = { ...edited[index]!, actor: 'console:mallory' };
  const before = timeline[index - 1];
  const head = before ? { seq: before.seq, hash: before.hash } : { seq: 0, hash: '0'.repeat(64) };
  const { events, head: newHead } = chainEvents(head, id, edited.slice(index), attackerKey);
  const listKey = `${prefix}timeline:${id}`;
  for (const [offset, event] of events.entries()) await redis.lset(listKey, index + offset, JSON.stringify(event));
  const doc = JSON.parse((await redis.hget(`${prefix}incident:${id}`, 'doc'))!) as Incident;
  await redis.hset(`${prefix}incident:${id}`, 'doc', JSON.stringify({ ...doc, head: newHead }));
}

/** Removes an incident the way someone with Redis access would: record, timeline and index entries. */
async function deleteIncident(id: string, options: { ledgerToo?: boolean } = {}): Promise<void> {
  const doc = JSON.parse((await redis.hget(`${prefix}incident:${id}`, 'doc'))!) as Incident;
  await redis.del(`${prefix}incident:${id}`, `${prefix}timeline:${id}`);
  await redis.zrem(`${prefix}active`, id);
  await redis.zrem(`${prefix}recent`, id);
  await redis.hdel(`${prefix}rooms`, doc.room);
  if (options.ledgerToo) await redis.hdel(`${prefix}ledger`, String(doc.number));
}

describe('a forger without the key', () => {
  it('passes untouched: every entry of the three incidents verifies', async () => {
    const { store, sink } = await threeIncidents();
    expect(await verifyAudit(store, TEST_AUDIT_KEY)).toEqual({ ok: true, checked: sink.length, incidents: 3 });
  });

  it.each([
    ['a key of their own', randomAuditKey()],
    ['the public unkeyed constant', unkeyedAuditKey()],
    ['an empty key', auditKeyFrom('')],
  ])('re-chains an edited entry with %s and the new head: verify names the entry', async (_name, attackerKey) => {
    const { store } = await threeIncidents();
    const timeline = await store.timeline('INC-1');
    // A middle entry, so the forger re-chains the entries after it too.
    const index = Math.floor(timeline.length / 2);
    const type = timeline[index]!.type;
    expect(index).toBeGreaterThan(0);
    expect(index).toBeLessThan(timeline.length - 1);
    await forge(store, 'INC-1', index, attackerKey);
    const report = await verifyAudit(store, TEST_AUDIT_KEY);
    expect(report.firstBreak).toEqual({ incident: 'INC-1', seq: index + 1, type, reason: 'content was changed after it was written' });
    expect(describeAudit(report)).toBe(`audit FAILED: INC-1 entry ${index + 1} (${type}): content was changed after it was written`);
  });

  it('re-chains the whole incident from its first entry: the first entry is named', async () => {
    const { store } = await threeIncidents();
    await forge(store, 'INC-2', 0, randomAuditKey());
    expect((await verifyAudit(store, TEST_AUDIT_KEY)).firstBreak).toMatchObject({ incident: 'INC-2', seq: 1, reason: 'content was changed after it was written' });
  });

  it('deletes a whole incident (record, timeline, index entries): verify names it', async () => {
    const { store } = await threeIncidents();
    await deleteIncident('INC-2');
    const report = await verifyAudit(store, TEST_AUDIT_KEY);
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({ incident: 'INC-2', seq: 0 });
    expect(describeAudit(report)).toMatch(/^audit FAILED: INC-2: is missing: the signed ledger says it was declared at 2026-11-02T09:00:00\.000Z, but its record is gone \(deleted\)$/);
    expect((await verifyAudit(store, TEST_AUDIT_KEY, 'INC-2')).firstBreak).toMatchObject({ incident: 'INC-2', reason: expect.stringContaining('record is gone') });
  });

  it('deletes the incident and its ledger entry too: the counter still names it', async () => {
    const { store } = await threeIncidents();
    await deleteIncident('INC-2', { ledgerToo: true });
    const report = await verifyAudit(store, TEST_AUDIT_KEY);
    expect(describeAudit(report)).toBe(
      'audit FAILED: INC-2: is missing: number 2 was allocated but neither its record nor its signed ledger entry exists (deleted, or its declaration never committed)',
    );
  });

  it('writes a ledger entry of their own for a forged incident: the entry is named forged', async () => {
    const { store } = await threeIncidents();
    const entry = JSON.parse((await redis.hget(`${prefix}ledger`, '3'))!) as Record<string, unknown>;
    await redis.hset(`${prefix}ledger`, '3', JSON.stringify({ ...entry, declaredAt: 0 }));
    expect((await verifyAudit(store, TEST_AUDIT_KEY)).firstBreak).toMatchObject({ incident: 'INC-3', reason: 'its ledger entry (number 3) is forged or was changed' });
  });

  it('cuts off the newest incident with the counter: the store alone passes, the sink names it', async () => {
    const { store, sink } = await threeIncidents();
    await deleteIncident('INC-3', { ledgerToo: true });
    await redis.set(`${prefix}counter`, '2');
    // The documented limit: a consistent rollback of the newest state leaves nothing in Redis to see.
    expect((await verifyAudit(store, TEST_AUDIT_KEY)).ok).toBe(true);
    const { mismatch } = await compareWithSink(sink, (id) => store.timeline(id), TEST_AUDIT_KEY);
    expect(mismatch).toMatchObject({ incident: 'INC-3', seq: 1, reason: 'is in the sink but missing from the store (deleted or rolled back)' });
  });

  it('an untouched store matches its sink entry for entry', async () => {
    const { store, sink } = await threeIncidents();
    expect(await compareWithSink(sink, (id) => store.timeline(id), TEST_AUDIT_KEY)).toEqual({ compared: sink.length });
  });

  it('the unkeyed opt-out still verifies, and says a forger would pass', async () => {
    const { store } = await threeIncidents(unkeyedAuditKey());
    const report = await verifyAudit(store, unkeyedAuditKey());
    expect(report.ok).toBe(true);
    expect(describeAudit(report)).toMatch(/UNKEYED: a forger with Redis access would pass too/);
  });

  it('a different key than the one that signed fails at the first entry', async () => {
    const { store } = await threeIncidents();
    expect((await verifyAudit(store, randomAuditKey())).firstBreak).toMatchObject({ incident: 'INC-1', seq: 1 });
  });
});
