/**
 * A replica is killed between two escalation steps and another one starts on
 * the same Redis: Redis records are the truth, BullMQ jobs are
 * only alarms, and the reconciler re-creates what a dead process left behind.
 * Nothing already sent is sent again, and nothing due is lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.js';
import type { Outbox, OutboundMessage } from '../../src/ports.js';
import type { BullMQOutbox } from '../../adapters/bullmq/outbox.js';
import {
  cleanupPrefix,
  dmKey,
  duplicates,
  newPrefix,
  Node,
  ofType,
  P1_CHAIN,
  pageKey,
  quiescent,
  shortConfig,
  until,
  DECLARE_P1 as DECLARE,
  ROLES,
  PRIMARIES,
  BACKUPS,
} from '../support/redis.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';


// The backup step is due 3 s after declare: room enough to kill A before it on a busy machine.
const config = shortConfig({ steps: ['0s', '3s', '1s'], assemble: '5s' });

let prefix = '';
const nodes: Node[] = [];

function node(options: Partial<ConstructorParameters<typeof Node>[0]> = {}): Node {
  const created = new Node({ prefix, config, ...options });
  nodes.push(created);
  return created;
}

afterEach(async () => {
  for (const created of nodes.splice(0)) await created.close();
  await cleanupPrefix(prefix);
});

/** An outbox whose process "dies" on demand: after that, a commit's messages never reach the queue. */
class KillableOutbox implements Outbox {
  dead = false;
  lost: OutboundMessage[] = [];

  constructor(private readonly inner: BullMQOutbox) {}

  async enqueue(...args: Parameters<Outbox['enqueue']>): Promise<void> {
    if (this.dead) {
      this.lost.push(...args[0]);
      throw new Error('killed between commit and enqueue');
    }
    await this.inner.enqueue(...args);
  }

  start: Outbox['start'] = (deliver) => this.inner.start(deliver);
  depth: Outbox['depth'] = () => this.inner.depth();
  close: Outbox['close'] = () => this.inner.close();
}

/** Everything the chain does for one unacknowledged P1 is done and nothing is left queued. */
async function chainFinished(survivor: Node, id: string): Promise<boolean> {
  const timeline = await survivor.store.timeline(id);
  if (ofType(timeline, 'escalation.step').length < ROLES.length * 2) return false;
  if (ofType(timeline, 'assembly.breached').length < 1) return false;
  return quiescent([survivor]);
}

function expectTimelineOnce(timeline: Awaited<ReturnType<Node['store']['timeline']>>): void {
  expect(verifyChain(timeline, TEST_AUDIT_KEY)).toBeUndefined();
  const steps = ofType(timeline, 'escalation.step').map((event) => `${event.role} ${String(event.data.step)}`);
  expect(duplicates(steps)).toEqual({});
  expect(steps.sort()).toEqual(ROLES.flatMap((role) => [`${role} 1`, `${role} 2`]).sort());
  const pages = ofType(timeline, 'page.sent').map(pageKey);
  expect(duplicates(pages)).toEqual({});
  expect(pages).toHaveLength(ROLES.length * 3 + 1);
  expect(ofType(timeline, 'assembly.breached')).toHaveLength(1);
}

describe('a replica killed between two escalation steps', () => {
  it('lets the next replica fire the next step once, without re-sending what was sent', async () => {
    prefix = newPrefix();
    const a = node();
    await a.start();
    const reply = await a.say('alice', DECLARE);
    expect(reply.message.text).toContain('INC-1 declared');

    await until(() => PRIMARIES.every((person) => a.chat.pagesTo(person).length === 1), 'the primary pages from A');
    await until(() => a.bullOutbox.depth().then((depth) => depth === 0), 'A to deliver what it queued');
    const before = await a.store.get('INC-1');
    // The kill must land between the steps: the backup step has not run yet.
    expect(before?.slots.map((slot) => slot.nextStep)).toEqual(ROLES.map(() => 1));

    await a.kill();
    const sentByA = a.chat.log.length;

    const b = node();
    const report = await b.start();
    expect(report.incidents).toBe(1);
    // one escalation timer per slot plus the assembly deadline, re-created idempotently
    expect(report.timers).toBe(ROLES.length + 1);

    await until(() => chainFinished(b, 'INC-1'), 'the chain to finish on B');

    expect(a.chat.log).toHaveLength(sentByA);
    const all = [...a.chat.log, ...b.chat.log];
    const dms = all.map(dmKey).filter((key): key is string => key !== undefined);
    expect(duplicates(dms)).toEqual({});
    for (const person of PRIMARIES) {
      expect(a.chat.pagesTo(person)).toHaveLength(1);
      expect(b.chat.pagesTo(person)).toHaveLength(0);
    }
    for (const person of BACKUPS) {
      expect(a.chat.pagesTo(person)).toHaveLength(0);
      expect(b.chat.pagesTo(person)).toHaveLength(1);
    }
    expect(b.chat.pagesTo('mona')).toHaveLength(ROLES.length);
    expect(b.chat.pagesTo('dora')).toHaveLength(1);
    // room notices (not the board, which is edited in place) are posted once each
    const notices = all.filter((d) => d.to.kind === 'room' && !d.message.fields).map((d) => d.message.text);
    expect(duplicates(notices)).toEqual({});

    expectTimelineOnce(await b.store.timeline('INC-1'));
  });

  it('delivers, once, the messages a replica committed but was killed before enqueueing', async () => {
    prefix = newPrefix();
    let killable: KillableOutbox | undefined;
    const a = node({
      wrapOutbox: (inner) => {
        killable = new KillableOutbox(inner);
        return killable;
      },
    });
    await a.start();
    await a.say('alice', DECLARE);
    await until(() => PRIMARIES.every((person) => a.chat.pagesTo(person).length === 1), 'the primary pages from A');
    await until(() => a.bullOutbox.depth().then((depth) => depth === 0), 'A to deliver what it queued');
    expect((await a.store.get('INC-1'))?.slots.map((slot) => slot.nextStep)).toEqual(ROLES.map(() => 1));

    // From now on A commits but "dies" before handing anything to the queues.
    killable!.dead = true;
    await until(async () => {
      const incident = await a.store.get('INC-1');
      return incident?.slots.every((slot) => slot.nextStep === 2);
    }, 'A to commit the backup step of every slot');
    await a.kill();

    const pending = await a.store.pendingOutbox();
    const pendingPages = pending
      .filter((message) => message.kind === 'message' && message.to.kind === 'person')
      .map((message) => (message.kind === 'message' && message.to.kind === 'person' ? message.to.person : ''));
    expect(pendingPages.sort()).toEqual([...BACKUPS].sort());
    expect(killable!.lost.map((message) => message.id)).toEqual(expect.arrayContaining(pending.map((message) => message.id)));
    for (const person of BACKUPS) expect(a.chat.pagesTo(person)).toHaveLength(0);
    const b = node();
    const report = await b.start();
    expect(report.messages).toBe(pending.length);
    expect(report.timers).toBe(ROLES.length + 1);

    await until(() => chainFinished(b, 'INC-1'), 'the chain to finish on B');

    const all = [...a.chat.log, ...b.chat.log];
    expect(duplicates(all.map(dmKey).filter((key): key is string => key !== undefined))).toEqual({});
    for (const person of PRIMARIES) expect(a.chat.pagesTo(person).length + b.chat.pagesTo(person).length).toBe(1);
    for (const person of BACKUPS) expect(b.chat.pagesTo(person)).toHaveLength(1);
    expect(b.chat.pagesTo('mona')).toHaveLength(ROLES.length);
    expect(b.chat.pagesTo('dora')).toHaveLength(1);
    const notices = all.filter((d) => d.to.kind === 'room' && !d.message.fields).map((d) => d.message.text);
    expect(duplicates(notices)).toEqual({});
    expect(await b.store.pendingOutbox()).toEqual([]);

    expectTimelineOnce(await b.store.timeline('INC-1'));
  });
});
