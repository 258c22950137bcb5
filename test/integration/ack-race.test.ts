/**
 * An acknowledgement racing the escalation step due at the same moment:
 * whichever commits first wins the store's version check, the
 * loser re-reads and re-checks its fencing token, so no page is ever committed
 * (or sent) after a committed ack, and no step runs twice.
 *
 * 1,000 trials drive the race through the service against the RedisStore, in
 * concurrent batches; a smaller set goes end to end through real BullMQ timers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.js';
import type { Incident, TimelineEvent } from '../../src/incidents/types.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { expectedTimers } from '../../src/app.js';
import type { Timer } from '../../src/ports.js';
import { cleanupPrefix, duplicates, newPrefix, Node, ofType, pageKey, quiescent, shortConfig, sleep, until } from '../support/redis.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

// P3 musters one role, tech, staffed from the checkout team: pete, then pam, then mona.
const config = shortConfig({ steps: ['0s', '1s', '1s'] });
const PRIMARY = 'pete';
const BACKUP = 'pam';
const MANAGER = 'mona';
const ROLE = 'tech';

let prefixes: string[] = [];
const nodes: Node[] = [];

afterEach(async () => {
  for (const created of nodes.splice(0)) await created.close();
  for (const prefix of prefixes.splice(0)) await cleanupPrefix(prefix);
});

function node(logger: Logger = silentLogger): Node {
  const prefix = newPrefix();
  prefixes.push(prefix);
  const created = new Node({ prefix, config, logger });
  nodes.push(created);
  return created;
}

/** Counts optimistic-concurrency retries, to show the trials really collide in the store. */
function conflictCounter(): Logger & { conflicts: number } {
  const logger = {
    ...silentLogger,
    conflicts: 0,
    debug: (_fields: object, message: string) => {
      if (message.startsWith('version conflict')) logger.conflicts += 1;
    },
  };
  return logger;
}

/** Lets other callbacks and socket reads run first, so either side of the race may lead. */
async function ticks(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

type Outcome = 'step-first' | 'ack-first';

/**
 * The invariant of one trial, from its timeline: one ack, no page for the role
 * after it, each step and each page at most once, a chain that verifies.
 */
function checkTrial(id: string, timeline: TimelineEvent[], incident: Incident | undefined): Outcome {
  expect(verifyChain(timeline, TEST_AUDIT_KEY), id).toBeUndefined();
  const acks = ofType(timeline, 'slot.acked');
  expect(acks, id).toHaveLength(1);
  const ack = acks[0]!;
  expect(ack.person, id).toBe(PRIMARY);
  const pages = ofType(timeline, 'page.sent').filter((event) => event.role === ROLE);
  expect(pages.filter((page) => page.seq > ack.seq), `${id}: a page after the ack`).toEqual([]);
  expect(duplicates(pages.map(pageKey)), id).toEqual({});
  const steps = ofType(timeline, 'escalation.step').map((event) => String(event.data.step));
  expect(duplicates(steps), id).toEqual({});
  const slot = incident?.slots.find((candidate) => candidate.role === ROLE);
  expect(slot?.state, id).toBe('acked');
  expect(slot?.ackedBy, id).toBe(PRIMARY);
  expect(slot?.pages.map((page) => `${ROLE} ${page.step} ${page.person}`), id).toEqual(pages.map(pageKey));
  return steps.includes('1') ? 'step-first' : 'ack-first';
}

describe('an ack racing the escalation step due at the same moment', () => {
  it('never commits a page after a committed ack (1,000 trials against the Redis store)', async () => {
    const logger = conflictCounter();
    const n = node(logger);
    // No workers: the trials call the timer handler themselves, so the race is exactly ack vs step.
    await n.connect();
    const service = n.muster.service;
    const TRIALS = 1_000;
    const BATCH = 100;

    const trial = async (index: number): Promise<string> => {
      const { incident } = await service.declare({
        title: `race ${index}`,
        severity: 'P3',
        service: 'checkout',
        declaredBy: 'alice',
        origin: 'console:#race',
      });
      const timer = expectedTimers(incident).find((candidate) => candidate.kind === 'escalate') as Timer;
      expect(timer.step).toBe(1);
      const lead = Math.floor(Math.random() * 4);
      const fire = async (delay: number) => {
        await ticks(delay);
        await n.muster.fireTimer(timer);
      };
      const ack = async (delay: number) => {
        await ticks(delay);
        await service.ack(incident.id, PRIMARY, ROLE);
      };
      // Alternate who starts first; every fourth trial also delivers the timer twice (a duplicate job).
      const racers = index % 2 === 0 ? [fire(0), ack(lead)] : [ack(0), fire(lead)];
      if (index % 4 === 3) racers.push(fire(lead + 1));
      await Promise.all(racers);
      return incident.id;
    };

    const ids: string[] = [];
    for (let start = 0; start < TRIALS; start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, TRIALS - start) }, (_, i) => trial(start + i));
      ids.push(...(await Promise.all(batch)));
    }
    expect(new Set(ids).size).toBe(TRIALS);

    const pending = new Set((await n.store.pendingOutbox()).map((message) => message.id));
    const outcomes = { 'step-first': 0, 'ack-first': 0 };
    for (let start = 0; start < ids.length; start += BATCH) {
      const slice = ids.slice(start, start + BATCH);
      const loaded = await Promise.all(slice.map(async (id) => [id, await n.store.timeline(id), await n.store.get(id)] as const));
      for (const [id, timeline, incident] of loaded) {
        const outcome = checkTrial(id, timeline, incident);
        outcomes[outcome] += 1;
        // The outbox holds the backup's page exactly when the timeline says it was paged (same atomic commit).
        expect(pending.has(`${id}-page-${ROLE}-e0-s1-${BACKUP}`), id).toBe(outcome === 'step-first');
        expect(pending.has(`${id}-page-${ROLE}-e0-s0-${PRIMARY}`), id).toBe(true);
      }
    }
    expect(outcomes['step-first'] + outcomes['ack-first']).toBe(TRIALS);
    // The trials really raced: both orders won sometimes, and the store refused stale writes.
    expect(outcomes['step-first']).toBeGreaterThan(0);
    expect(outcomes['ack-first']).toBeGreaterThan(0);
    expect(logger.conflicts).toBeGreaterThan(0);
  }, 60_000);

  it('sends no page after a committed ack when the step comes from a real BullMQ timer (50 trials)', async () => {
    const n = node();
    await n.start();
    const TRIALS = 50;
    // Declared a little apart, so each race has the timer worker and the store mostly to itself.
    const replies = [];
    for (let i = 0; i < TRIALS; i += 1) {
      replies.push(await n.say('alice', `declare race ${i} sev=P3 service=checkout anyway=yes`));
      await sleep(20);
    }
    const ids = replies.map((reply) => /^(INC-\d+) declared/.exec(reply.message.text)?.[1] ?? reply.message.text);
    expect(new Set(ids).size).toBe(TRIALS);

    // Each primary acknowledges around the moment the backup step is due (a little before or after).
    const acks = await Promise.all(
      ids.map(async (id) => {
        const incident = await n.store.get(id);
        const due = incident!.slots[0]!.startedAt + incident!.slots[0]!.chain[1]!.atMs;
        const jitter = Math.round(Math.random() * 60) - 30;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due + jitter - Date.now())));
        return n.say(PRIMARY, `ack ${id} ${ROLE}`);
      }),
    );
    for (const reply of acks) expect(reply.message.text).toMatch(/^Thanks, Pete Payments/);

    // Every timer has fired (stale ones as no-ops) and every message has been delivered.
    await until(() => quiescent([n]), 'the timers to fire and the outbox to drain', { timeoutMs: 30_000 });

    const outcomes = { 'step-first': 0, 'ack-first': 0 };
    for (const id of ids) {
      const timeline = await n.store.timeline(id);
      const outcome = checkTrial(id, timeline, await n.store.get(id));
      outcomes[outcome] += 1;
      // What reached the chat is what the timeline committed, less the pages the
      // ack made unwanted before their turn came (settled as superseded, never sent).
      const paged = (person: string) =>
        n.chat.pagesTo(person).filter((d) => d.message.buttons?.[0]?.command === `/incident ack ${id} ${ROLE}`).length;
      const count = (type: TimelineEvent['type'], person: string) => ofType(timeline, type).filter((event) => event.person === person).length;
      for (const person of [PRIMARY, BACKUP, MANAGER]) {
        expect(paged(person), `${id} ${person}`).toBe(count('page.sent', person) - count('page.superseded', person));
      }
      expect(paged(PRIMARY)).toBe(1);
    }
    expect(outcomes['step-first'] + outcomes['ack-first']).toBe(TRIALS);
  });
});
