import { describe, expect, it } from 'vitest';
import { InProcessOutbox } from '../../adapters/memory/outbox.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { Muster } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { berlin, oncallHarness, walkTo } from './oncall-support.js';

type H = Awaited<ReturnType<typeof oncallHarness>>;

const shiftNotices = (h: H, person: string) => h.dms(person).filter((message) => message.title?.startsWith('You are on call') || message.text.startsWith('Handoff'));

describe('shift notices at each handoff', () => {
  it('the weekly handoff: the incoming primary and backup are told the team, interval and zone; the outgoing get a note', async () => {
    const h = await oncallHarness();
    await walkTo(h, '2026-11-09T09:05');
    const [cat] = shiftNotices(h, 'cat');
    expect(cat?.title).toBe('You are on call: Payments primary');
    expect(cat?.text).toBe(
      'You hold the Payments primary pager Mon, Nov 9, 2026, 09:00 GMT+1 to Mon, Nov 16, 2026, 09:00 GMT+1 (Europe/Berlin), taking over from Ben.\nNo open incidents for Payments.',
    );
    expect(shiftNotices(h, 'ben').map((m) => m.text)).toEqual([
      'Handoff: Cat holds the Payments primary pager from Mon, Nov 9, 2026, 09:00 GMT+1 (Europe/Berlin). You are off; thank you.',
    ]);
    expect(shiftNotices(h, 'xia').map((m) => m.title)).toEqual(['You are on call: Payments backup']);
    expect(shiftNotices(h, 'yan')).toHaveLength(1);
    // The duty team rotates too (dirk → dora); the one-person sre rotation never changes hands.
    expect(shiftNotices(h, 'dora').map((m) => m.title)).toEqual(['You are on call: Duty primary']);
    expect(shiftNotices(h, 'olga')).toHaveLength(0);
  });

  it('names the open incidents the incoming holder inherits', async () => {
    const h = await oncallHarness();
    await walkTo(h, '2026-11-09T08:30');
    await h.say('alice', '/incident declare Checkout failing sev=P2 service=checkout');
    await h.say('ben', '/incident ack');
    await walkTo(h, '2026-11-09T09:05');
    const [cat] = shiftNotices(h, 'cat');
    expect(cat?.text).toContain('Open incidents you inherit (1):');
    expect(cat?.fields).toEqual([{ label: 'INC-1 [P2]', value: 'Checkout failing · assembled · #inc-1-checkout-failing' }]);
    expect(shiftNotices(h, 'ben')[0]?.text).toContain('with 1 open incident of Payments');
  });

  it('a cover starting and ending is two handoffs; a cancelled one tells nobody', async () => {
    const h = await oncallHarness();
    await h.say('ben', '/oncall cover payments ann tonight');
    await h.say('cat', '/oncall cover payments backup cat 2026-11-03 12:00 to 2026-11-03 14:00');
    await h.say('yan', '/oncall cover payments backup xia 2026-11-03 20:00 to 2026-11-03 22:00');
    expect(await h.read('yan', '/oncall cancel CHG-2')).toContain('CHG-2 cancelled');
    await walkTo(h, '2026-11-02T18:01');
    expect(shiftNotices(h, 'ann')[0]?.text).toBe(
      'You hold the Payments primary pager Mon, Nov 2, 2026, 18:00 GMT+1 to Tue, Nov 3, 2026, 09:00 GMT+1 (Europe/Berlin) by CHG-1 (cover), taking over from Ben.\nNo open incidents for Payments.',
    );
    expect(shiftNotices(h, 'ben').map((m) => m.text)).toEqual([expect.stringContaining('Handoff: Ann holds the Payments primary pager from Mon, Nov 2, 2026, 18:00 GMT+1')]);
    await walkTo(h, '2026-11-03T23:00');
    expect(shiftNotices(h, 'ben').map((m) => m.title ?? m.text.slice(0, 30))).toEqual(['Handoff: Ann holds the Payment', 'You are on call: Payments primary']);
    expect(shiftNotices(h, 'ben')[1]?.text).toContain('taking over from Ann');
    // Cat may not give away Yan's shift (refused, no id); CHG-2 was cancelled before it began.
    expect(shiftNotices(h, 'xia')).toHaveLength(0);
    expect(shiftNotices(h, 'cat')).toHaveLength(0);
  });

  it('a take is a handoff now: the taker is told what they inherit, the holder gets the change notice and a note', async () => {
    const h = await oncallHarness();
    await h.say('alice', '/incident declare Checkout failing sev=P2 service=checkout');
    await h.say('cat', '/oncall take payments 2h');
    await h.advance(0);
    expect(shiftNotices(h, 'cat')[0]?.fields?.map((f) => f.label)).toEqual(['INC-1 [P2]']);
    expect(h.dms('ben').map((m) => m.title ?? m.text.slice(0, 8))).toEqual(expect.arrayContaining(['Shift change CHG-1 (Payments)', 'Handoff:']));
  });

  it('once per handoff, however often it is planned or fired, and across two replicas on one store', async () => {
    const h = await oncallHarness();
    await walkTo(h, '2026-11-09T08:00');
    // A second replica: its own scheduler and outbox, the same store, shift changes and chat.
    const scheduler = new InProcessScheduler(h.clock, { realTime: false });
    const outbox = new InProcessOutbox({ attempts: 3, baseDelayMs: 1 });
    const second = new Muster({ auditKey: TEST_AUDIT_KEY, config: h.config, store: h.store, scheduler, outbox, chat: h.chat, clock: h.clock, logger: silentLogger, shifts: h.shifts });
    await second.start({ watchdog: false });
    await h.muster.shiftNotices?.plan();
    await second.shiftNotices?.plan();
    expect(await scheduler.pendingIds()).toContain(`handoff-payments-primary-${berlin('2026-11-09T09:00')}`);
    h.clock.set(berlin('2026-11-09T09:00'));
    await Promise.all([h.scheduler.runDue(), scheduler.runDue()]);
    await Promise.all([h.outbox.idle(), outbox.idle()]);
    const timer = { id: `handoff-payments-primary-${berlin('2026-11-09T09:00')}`, dueAt: berlin('2026-11-09T09:00'), incident: 'schedules', kind: 'handoff' as const, key: `handoff-payments-primary-${berlin('2026-11-09T09:00')}`, epoch: berlin('2026-11-09T09:00') };
    await second.fireTimer(timer);
    await outbox.idle();
    expect(shiftNotices(h, 'cat')).toHaveLength(1);
    expect(shiftNotices(h, 'ben')).toHaveLength(1);
    await second.stop();
  });
});
