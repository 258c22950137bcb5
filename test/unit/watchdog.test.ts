import { describe, expect, it } from 'vitest';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { Watchdog } from '../../src/timers/reconciler.js';
import { expectedTimers } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { RetryLaterError, type Timer } from '../../src/ports.js';
import { harness } from '../support/fixture.js';

const MIN = 60_000;

/** A scheduler that loses every timer, like a queue flushed behind our back. */
class ForgetfulScheduler extends InProcessScheduler {
  lose = true;
  override async schedule(timer: Timer): Promise<void> {
    if (!this.lose) await super.schedule(timer);
  }
}

describe('reconciler and watchdog', () => {
  it('reports steps overdue by more than a minute and re-creates their timers', async () => {
    const h = await harness();
    const forgetful = new ForgetfulScheduler(h.clock, { realTime: false });
    const warnings: object[] = [];
    const logger = { ...silentLogger, warn: (fields: object) => warnings.push(fields) };
    await h.say('alice', '/incident declare Lost timers sev=P3 service=checkout');
    const watchdog = new Watchdog({ store: h.store, scheduler: forgetful, outbox: h.outbox, clock: h.clock, logger, expectedTimers });
    h.clock.advance(7 * MIN);
    const report = await watchdog.beat();
    expect(report?.overdue).toEqual([{ id: 'esc-INC-1-tech-e0-s1', lateMs: 2 * MIN }]);
    expect(warnings).toHaveLength(1);
    expect(await h.store.getValue('watchdog:heartbeat')).toBe(String(h.clock.now()));
    forgetful.lose = false;
    await watchdog.beat();
    await forgetful.start((timer) => h.muster.fireTimer(timer));
    await forgetful.runDue();
    await h.outbox.idle();
    expect(h.chat.pagesTo('pam')).toHaveLength(1);
  });

  it('visits only incidents whose earliest timer has come due, never the whole active set', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P3 service=checkout');
    await h.say('alice', '/incident declare Checkout slow sev=P3 service=checkout anyway=yes');
    let listed = 0;
    const list = h.store.listActive.bind(h.store);
    h.store.listActive = async () => ((listed += 1), list());
    expect((await h.muster.watchdog.beat())?.incidents).toBe(0);
    h.clock.advance(6 * MIN);
    expect((await h.muster.watchdog.beat())?.incidents).toBe(2);
    await h.say('pete', '/incident ack INC-1');
    await h.say('pete', '/incident ack INC-2');
    h.clock.advance(MIN);
    expect(listed).toBe(0);
  });

  it('re-queues committed but undelivered messages, and never re-sends delivered ones', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Resend sev=P3 service=checkout');
    const sent = h.chat.delivered.length;
    await h.muster.watchdog.beat();
    await h.outbox.idle();
    expect(h.chat.delivered.length).toBe(sent);
    expect(await h.store.pendingOutbox()).toEqual([]);
  });
});

describe('delivery claims', () => {
  it('two attempts at the same message in one process send it once', async () => {
    const { Delivery } = await import('../../src/delivery/delivery.js');
    const h = await harness();
    let sends = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const chat = { ...h.chat, openRoom: h.chat.openRoom.bind(h.chat), update: h.chat.update.bind(h.chat), invite: h.chat.invite.bind(h.chat), send: async () => { sends += 1; await gate; return 'ref'; } };
    const delivery = new Delivery(h.store, chat, h.muster.present, silentLogger);
    const message = { id: 'INC-9-page-x', incident: 'INC-9', kind: 'message' as const, to: { kind: 'person' as const, person: 'pete' }, message: { text: 'hi' } };
    const first = delivery.deliver(message);
    // The second finds the first one's claim: "later", not a second send.
    await expect(delivery.deliver(message)).rejects.toBeInstanceOf(RetryLaterError);
    release();
    await first;
    // When the outbox brings it back, it was delivered already.
    await delivery.deliver(message);
    expect(sends).toBe(1);
  });
});
