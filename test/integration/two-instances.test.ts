/**
 * Two replicas on one Redis (production mode): BullMQ hands each
 * timer and message to one worker, the fencing epoch and the store's version
 * check keep duplicates harmless, so every page goes out exactly once however
 * the work is split between the two.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.js';
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
  ROLES,
} from '../support/redis.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

const INCIDENTS = ['INC-1', 'INC-2', 'INC-3'];
const config = shortConfig({ steps: ['0s', '1s', '1s'], assemble: '4s' });

let prefix = '';
const nodes: Node[] = [];

afterEach(async () => {
  for (const created of nodes.splice(0)) await created.close();
  await cleanupPrefix(prefix);
});

/** Every DM the three unacknowledged P1s must produce: (person, incident, role) per step, plus the breach page. */
function expectedDms(ids: string[]): string[] {
  return ids.flatMap((id) => [
    ...ROLES.flatMap((role) => P1_CHAIN[role]!.map((person) => `${person} /incident ack ${id} ${role}`)),
    `dora ${id}: the assembly deadline passed with ${ROLES.join(', ')} unstaffed. You are the duty manager: please step in.`,
  ]);
}

describe('two replicas on one Redis prefix', () => {
  it('send every page of three P1s exactly once across both, and keep each timeline verifiable', async () => {
    prefix = newPrefix();
    // The watchdogs run often, so both replicas also reconcile concurrently while the chains run.
    const a = new Node({ prefix, config, watchdogIntervalMs: 250 });
    const b = new Node({ prefix, config, watchdogIntervalMs: 250 });
    nodes.push(a, b);
    await Promise.all([a.start({ watchdog: true }), b.start({ watchdog: true })]);

    const replies = await Promise.all(
      ['Checkout is failing', 'Payments are slow', 'Search is down'].map((title) =>
        a.say('alice', `declare ${title} sev=P1 service=checkout anyway=yes`),
      ),
    );
    expect(replies.map((reply) => reply.message.text.split(' ')[0]).sort()).toEqual(INCIDENTS);

    await until(async () => {
      for (const id of INCIDENTS) {
        const timeline = await a.store.timeline(id);
        if (ofType(timeline, 'escalation.step').length < ROLES.length * 2) return false;
        if (ofType(timeline, 'assembly.breached').length < 1) return false;
      }
      return quiescent([a, b]);
    }, 'three chains to reach the manager step and the deadline breach, with the queues drained');

    const all = [...a.chat.log, ...b.chat.log];
    const dms = all.map(dmKey).filter((key): key is string => key !== undefined);
    expect(duplicates(dms)).toEqual({});
    expect([...dms].sort()).toEqual(expectedDms(INCIDENTS).sort());
    // Both replicas did part of the work (each has its own chat).
    expect(a.chat.log.length).toBeGreaterThan(0);
    expect(b.chat.log.length).toBeGreaterThan(0);

    const notices = all.flatMap((d) => (d.to.kind === 'room' && !d.message.fields ? [`${d.to.conversation} ${d.message.text}`] : []));
    expect(duplicates(notices)).toEqual({});

    for (const id of INCIDENTS) {
      const timeline = await a.store.timeline(id);
      expect(verifyChain(timeline, TEST_AUDIT_KEY), id).toBeUndefined();
      expect(timeline.map((event) => event.seq)).toEqual(timeline.map((_, index) => index + 1));
      const steps = ofType(timeline, 'escalation.step').map((event) => `${event.role} ${String(event.data.step)}`);
      expect(duplicates(steps)).toEqual({});
      expect(steps).toHaveLength(ROLES.length * 2);
      const pages = ofType(timeline, 'page.sent').map(pageKey);
      expect(duplicates(pages)).toEqual({});
      expect(pages).toHaveLength(ROLES.length * 3 + 1);
      expect(ofType(timeline, 'assembly.breached')).toHaveLength(1);
      const incident = await a.store.get(id);
      expect(incident?.slots.every((slot) => slot.nextStep === slot.chain.length)).toBe(true);
      // One board per war room, edited in place, and it ends on the final state.
      const boards = all.filter((d) => d.message.fields && d.message.title?.startsWith(`${id} `)).sort((x, y) => x.seq - y.seq);
      expect(boards.filter((d) => !d.edit)).toHaveLength(1);
      expect(boards.at(-1)?.message).toEqual(a.muster.present.board(incident!));
    }
  });
});
