/**
 * A declare is durable before anything reaches the platform: the incident, its
 * first pages and the war room to open are one commit. Killed right after that
 * commit, before any message was queued, a restarted replica opens the room
 * once, pages every primary once and draws the board; nothing is lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Outbox, OutboundMessage, RoomRequest } from '../../src/ports.js';
import type { BullMQOutbox } from '../../adapters/bullmq/outbox.js';
import { cleanupPrefix, newPrefix, Node, ofType, shortConfig, until, DECLARE_P1 as DECLARE, PRIMARIES } from '../support/redis.js';

const config = shortConfig({ steps: ['0s', '1h', '1h'], assemble: '2h' });
let prefix = '';
const nodes: Node[] = [];

afterEach(async () => {
  for (const created of nodes.splice(0)) await created.close();
  await cleanupPrefix(prefix);
});

/** The process dies right after its commit: nothing it committed reaches the queue. */
class DeadAfterCommit implements Outbox {
  lost: OutboundMessage[] = [];
  constructor(private readonly inner: BullMQOutbox) {}
  async enqueue(messages: OutboundMessage[]): Promise<void> {
    this.lost.push(...messages);
    throw new Error('killed between commit and enqueue');
  }
  start: Outbox['start'] = (deliver) => this.inner.start(deliver);
  depth: Outbox['depth'] = () => this.inner.depth();
  close: Outbox['close'] = () => this.inner.close();
}

describe('durable declare', () => {
  it('killed after the declare commit: the restarted replica opens the room once and pages everyone once', async () => {
    prefix = newPrefix();
    let dying: DeadAfterCommit | undefined;
    const a = new Node({ prefix, config, wrapOutbox: (inner) => (dying = new DeadAfterCommit(inner)) });
    nodes.push(a);
    await a.start();
    const reply = await a.say('alice', DECLARE);
    expect(reply.message.text).toContain('INC-1 declared');
    expect(dying!.lost.map((message) => message.kind)).toContain('room');
    await a.kill();
    const before = await a.store.get('INC-1');
    expect(before?.room).toBe('pending:INC-1');
    for (const person of PRIMARIES) expect(a.chat.pagesTo(person)).toHaveLength(0);

    const b = new Node({ prefix, config });
    nodes.push(b);
    const rooms: RoomRequest[] = [];
    const openRoom = b.chat.openRoom.bind(b.chat);
    b.chat.openRoom = async (request) => {
      rooms.push(request);
      return openRoom(request);
    };
    await b.start();
    await until(() => PRIMARIES.every((person) => b.chat.pagesTo(person).length === 1), 'the restarted replica to page every primary');
    const opened = await until(async () => {
      const incident = await b.store.get('INC-1');
      return incident && !incident.room.startsWith('pending:') ? incident : undefined;
    }, 'the war room to open');
    await until(async () => (await b.store.pendingOutbox()).length === 0 && (await b.bullOutbox.depth()) === 0, 'nothing left to deliver');
    expect(rooms).toHaveLength(1);
    expect(new Set(rooms[0]!.members)).toEqual(new Set(['alice', ...PRIMARIES]));
    expect(opened.room).toBe('test:#inc-1-checkout-is-failing');
    const roomMessages = b.chat.delivered.filter((d) => d.to.kind === 'room');
    expect(roomMessages.every((d) => d.to.kind === 'room' && d.to.conversation === opened.room)).toBe(true);
    expect(roomMessages.some((d) => d.message.text.includes('declared by'))).toBe(true);
    expect(roomMessages.some((d) => d.message.fields !== undefined)).toBe(true); // the board
    for (const person of PRIMARIES) expect(b.chat.pagesTo(person)).toHaveLength(1);
    expect(ofType(await b.store.timeline('INC-1'), 'room.opened')).toHaveLength(1);
  });
});
