/**
 * The audit chain in the production store: an edit, a deletion
 * or a reordering written straight into the Redis timeline list makes
 * `audit verify` fail and name the entry. Each test has its own key prefix.
 */
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessOutbox } from '../../adapters/memory/outbox.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { RedisStore } from '../../adapters/redis/store.js';
import { ACTION_HANDLERS as commands } from '../../src/commands/actions.js';
import { verifyAudit } from '../../src/actions/audit-cli.js';
import { Muster } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import type { Caller } from '../../src/kernel/caller.js';
import type { TimelineEvent } from '../../src/incidents/types.js';
import { silentLogger } from '../../src/logger.js';
import { FakeChat } from '../support/fixture.js';
import { deleteKeys, newPrefix, REDIS_URL } from '../support/redis.js';
import { actionsConfig, RecordingExecutor } from '../unit/actions-support.js';
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

/** A P1 on Redis with a grant, a run, a request and a refusal on its timeline. */
async function recorded(): Promise<{ store: RedisStore; key: string; timeline: TimelineEvent[]; executor: RecordingExecutor }> {
  const config = actionsConfig();
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 9, 0, 0));
  const store = new RedisStore(redis, { prefix });
  const scheduler = new InProcessScheduler(clock, { realTime: false });
  const outbox = new InProcessOutbox({ attempts: 3, baseDelayMs: 1 });
  const executor = new RecordingExecutor(store);
  muster = new Muster({ auditKey: TEST_AUDIT_KEY, config, store, scheduler, outbox, chat: new FakeChat(), clock, logger: silentLogger, executors: { http: executor, exec: executor } });
  await muster.start({ watchdog: false });
  const deps = muster.commandDeps;
  const caller = (person: string): Caller => ({ ref: `console:${person}`, name: person, person, conversation: 'console:#general' });
  let request = 0;
  const say = (person: string, args: string) => muster!.dispatch({ name: 'incident', args, actor: `console:${person}`, conversation: 'console:#general', requestId: `${prefix}${++request}` });
  await say('alice', 'declare Database down sev=P1 service=checkout');
  await say('sam', 'ack');
  await commands.run('INC-1 failover cluster=orders', caller('sam'), deps);
  await commands.run('INC-1 rollback service=checkout', caller('pete'), deps);
  await commands.approve('INC-1 REQ-1', caller('pete'), deps);
  await commands.run('INC-1 nuke', caller('alice'), deps);
  // Page receipts are committed as deliveries finish: let them land before reading the timeline.
  await outbox.idle();
  return { store, key: `${prefix}timeline:INC-1`, timeline: await store.timeline('INC-1'), executor };
}

describe('audit verify on Redis', () => {
  it('passes an untouched chain, with the action entries on it', async () => {
    const { store, timeline, executor } = await recorded();
    expect(executor.calls).toHaveLength(1);
    // Page receipts land on their own as deliveries finish; among the rest, the run's start is the newest entry.
    const RECEIPTS = ['page.delivered', 'page.failed', 'page.superseded'];
    expect(executor.calls[0]?.timelineTypes.filter((type) => !RECEIPTS.includes(type)).at(-1)).toBe('action.started');
    expect(timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['grant.issued', 'action.started', 'action.completed', 'action.requested', 'action.refused']));
    expect(await verifyAudit(store, TEST_AUDIT_KEY)).toEqual({ ok: true, checked: timeline.length, incidents: 1 });
  });

  it('an edited entry is named', async () => {
    const { store, key, timeline } = await recorded();
    const index = timeline.findIndex((e) => e.type === 'action.completed');
    const raw = JSON.parse((await redis.lindex(key, index))!) as TimelineEvent;
    raw.data.status = 500;
    await redis.lset(key, index, JSON.stringify(raw));
    expect(await verifyAudit(store, TEST_AUDIT_KEY, 'INC-1')).toMatchObject({
      ok: false, firstBreak: { incident: 'INC-1', seq: index + 1, type: 'action.completed', reason: 'content was changed after it was written' },
    });
  });

  it('a deleted entry is named', async () => {
    const { store, key, timeline } = await recorded();
    const index = timeline.findIndex((e) => e.type === 'action.started');
    const raw = (await redis.lindex(key, index))!;
    expect(await redis.lrem(key, 1, raw)).toBe(1);
    expect((await verifyAudit(store, TEST_AUDIT_KEY)).firstBreak).toMatchObject({ incident: 'INC-1', seq: index + 2, reason: `expected entry ${index + 1}, found ${index + 2}` });
  });

  it('a deleted last entry is named', async () => {
    const { store, key, timeline } = await recorded();
    await redis.rpop(key);
    const last = timeline.at(-1)!;
    expect((await verifyAudit(store, TEST_AUDIT_KEY)).firstBreak).toMatchObject({ incident: 'INC-1', seq: last.seq, reason: `entries ${last.seq}..${last.seq} are missing from the end` });
  });

  it('a reordering is named', async () => {
    const { store, key, timeline } = await recorded();
    const index = timeline.findIndex((e) => e.type === 'action.requested');
    const [a, b] = [(await redis.lindex(key, index))!, (await redis.lindex(key, index + 1))!];
    await redis.multi().lset(key, index, b).lset(key, index + 1, a).exec();
    expect((await verifyAudit(store, TEST_AUDIT_KEY)).firstBreak).toMatchObject({ incident: 'INC-1', seq: index + 2, reason: `expected entry ${index + 1}, found ${index + 2}` });
  });
});
