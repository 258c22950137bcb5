import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { MIN, oncallConfig, oncallHarness } from './oncall-support.js';

const DECLARE = '/incident declare Checkout failing sev=P2 service=checkout';
const pageSent = (h: Awaited<ReturnType<typeof oncallHarness>>) => h.events.filter((event) => event.type === 'page.sent' && event.role === 'tech');

describe('escalation follows the schedule', () => {
  it('a cover in force at the declare gets the first page and the room, and the timeline says why', async () => {
    const h = await oncallHarness();
    await h.say('ben', '/oncall cover payments ann 4h dentist');
    await h.say('alice', DECLARE);
    const [first] = pageSent(h);
    expect(first).toMatchObject({ person: 'ann', data: { step: 0, reason: 'Ann holds the Payments primary pager by CHG-1 (cover asked by Ben: dentist).' } });
    expect(h.chat.pagesTo('ben').filter((page) => page.message.buttons?.length)).toHaveLength(0);
    const timeline = await h.read('ann', '/incident timeline INC-1');
    expect(timeline).toContain('page.sent: tech · Ann · Ann holds the Payments primary pager by CHG-1 (cover asked by Ben: dentist).');
  });

  it('an override made after the declare: the next step pages whoever holds the position then', async () => {
    const h = await oncallHarness();
    await h.say('alice', DECLARE);
    expect(pageSent(h).map((event) => event.person)).toEqual(['ben']);
    // Yan is the backup, but Xia covers the backup from now on.
    await h.say('yan', '/oncall cover payments backup xia 2h');
    await h.advance(5 * MIN);
    const step = h.events.find((event) => event.type === 'escalation.step');
    expect(step?.data).toMatchObject({ step: 1, via: 'backup', targets: ['xia'], reason: 'Xia holds the Payments backup pager by CHG-1 (cover asked by Yan).' });
    const pages = (person: string) => h.chat.pagesTo(person).filter((page) => page.message.buttons?.some((b) => b.command.startsWith('/incident ack')));
    expect(pages('xia')).toHaveLength(1);
    expect(pages('yan')).toHaveLength(0);
    expect(h.chat.invites.at(-1)?.people).toEqual(['xia']);
    const incident = await h.store.get('INC-1');
    expect(incident?.slots[0]?.chain.map((s) => s.targets)).toEqual([['ben'], ['xia'], ['ben'], ['mona']]);
  });

  it('a take during the incident: the next primary step pages the taker', async () => {
    const h = await oncallHarness();
    await h.say('alice', DECLARE);
    await h.say('cat', '/oncall take payments 4h Ben is asleep');
    await h.advance(10 * MIN);
    expect(pageSent(h).map((event) => `${event.data.step}:${event.person}`)).toEqual(['0:ben', '1:yan', '2:cat']);
    expect(pageSent(h)[2]?.data.reason).toBe('Cat holds the Payments primary pager by CHG-1 (take asked by Cat: Ben is asleep).');
  });

  it('a rotation handoff during the incident: the step after it pages the new holder', async () => {
    const h = await oncallHarness();
    // Mon 9 Nov 08:52 Berlin: Ben's last minutes; Cat holds the pager from 09:00.
    h.clock.set(DateTime.fromISO('2026-11-09T08:52', { zone: 'Europe/Berlin' }).toMillis());
    await h.say('alice', DECLARE);
    await h.advance(10 * MIN);
    expect(pageSent(h).map((event) => `${event.data.step}:${event.person}`)).toEqual(['0:ben', '1:xia', '2:cat']);
    expect(pageSent(h)[2]?.data.reason).toBe('Cat holds the Payments primary pager by the weekly rotation.');
  });

  it('the duty manager is whoever holds the duty pager, covers included', async () => {
    const h = await oncallHarness();
    await h.say('dirk', '/oncall cover duty dora 2h');
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    await h.advance(15 * MIN);
    expect(h.events.find((event) => event.type === 'page.sent' && event.role === 'duty-manager')?.person).toBe('dora');
  });

  it('a drill follows the same schedule', async () => {
    const h = await oncallHarness();
    await h.say('ben', '/oncall cover payments ann 4h');
    const drill = await h.muster.service.declare({
      title: 'Drill', severity: 'P2', service: 'checkout', declaredBy: 'mona', origin: 'console:#general', drill: { scenario: 'db-failover', live: [], startedBy: 'mona' },
    });
    expect(drill.incident.slots[0]?.chain[0]?.targets).toEqual(['ann']);
    expect(h.chat.pagesTo('ann').some((page) => page.message.title?.includes('DRILL') || page.message.text.includes('DRILL'))).toBe(true);
  });

  it('without a change, an edited rotation alone never changes a running incident', async () => {
    const h = await oncallHarness(oncallConfig());
    await h.say('alice', DECLARE);
    (h.config.teams.payments!.rotation.backup as string[])[1] = 'ann';
    await h.advance(5 * MIN);
    expect(pageSent(h).map((event) => event.person)).toEqual(['ben', 'yan']);
  });
});
