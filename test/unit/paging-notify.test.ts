/**
 * Notification rules as fenced timers (issue 14): a paged person's later
 * methods go out at their time through the paging port (via the outbox),
 * and an ack, a resolve or the chain moving on stops them. One message per
 * method for two roles of one incident in the same minute.
 */
import { describe, expect, it } from 'vitest';
import { PagingDelivery } from '../../src/paging/deliver.js';
import { silentLogger } from '../../src/logger.js';
import { harness, testConfig } from '../support/fixture.js';
import { RecordingPagingPort } from '../support/paging/recording-port.js';

const MIN = 60_000;
const SID = `AC${'a1'.repeat(16)}`;

function pagingConfig(extra: (raw: Record<string, unknown>) => void = () => {}) {
  return testConfig((raw) => {
    const people = raw.people as Record<string, Record<string, unknown>>;
    people.cara = { ...people.cara, phone: '+4915112345678', ntfy: 'cara-pages' };
    people.cole = { ...people.cole, phone: '+4915112345679' };
    raw.paging = { twilio: { accountSid: SID, from: '+15005550006' }, ntfy: {} };
    extra(raw);
  });
}

async function bot(config = pagingConfig()) {
  let now = () => 0;
  const port = new RecordingPagingPort(['sms', 'voice', 'ntfy'], () => now());
  const h = await harness(config, { paging: { port } });
  now = () => h.clock.now();
  const declare = async (sev = 'P1') => {
    await h.say('alice', `/incident declare Checkout is failing sev=${sev} service=checkout`);
    await h.advance(0);
    return (await h.store.listActive())[0]!;
  };
  return { ...h, port, declare };
}

describe('notification rules', () => {
  it('sends push at once and the text after 2 minutes, recorded on the page and the timeline', async () => {
    const b = await bot();
    const incident = await b.declare();
    const start = b.clock.now();
    expect(b.port.kindsTo('cara')).toEqual(['ntfy']);
    await b.advance(2 * MIN - 1);
    expect(b.port.kindsTo('cara')).toEqual(['ntfy']);
    await b.advance(1);
    expect(b.port.kindsTo('cara')).toEqual(['ntfy', 'sms']);
    const sms = b.port.sent.find((s) => s.address.kind === 'sms')!;
    expect(sms.at - start).toBe(2 * MIN);
    expect(sms.address).toEqual({ kind: 'sms', phone: '+4915112345678' });
    expect(sms.notification).toMatchObject({ incident: incident.id, incidentNumber: incident.number, severity: 'P1', person: 'cara', drill: false });
    expect(sms.notification.fence.roles).toEqual([{ role: 'commander', epoch: incident.slots.find((s) => s.role === 'commander')!.epoch }]);
    const record = (await b.store.get(incident.id))!;
    const page = record.slots.find((s) => s.role === 'commander')!.pages[0]!;
    expect(page.sent).toEqual([
      { kind: 'ntfy', messageId: expect.any(String), state: 'accepted' },
      { kind: 'sms', messageId: expect.any(String), state: 'accepted' },
    ]);
    expect(b.events.filter((e) => e.type === 'page.notified' && e.person === 'cara').map((e) => e.data.kind)).toEqual(['ntfy', 'sms']);
  });

  it('calls at 4 minutes by the person’s own rule, and an ack in chat before it means no call', async () => {
    const rule = { P1: [{ after: '0s', via: ['chat'] }, { after: '2m', via: ['sms'] }, { after: '4m', via: ['voice'] }] };
    const calls = await bot(pagingConfig((raw) => void ((raw.people as Record<string, Record<string, unknown>>).cara!.notify = rule)));
    await calls.declare();
    await calls.advance(4 * MIN);
    expect(calls.port.kindsTo('cara')).toEqual(['sms', 'voice']);

    const acked = await bot(pagingConfig((raw) => void ((raw.people as Record<string, Record<string, unknown>>).cara!.notify = rule)));
    const incident = await acked.declare();
    await acked.advance(3 * MIN);
    await acked.say('cara', `/incident ack ${incident.id}`);
    await acked.advance(10 * MIN);
    expect(acked.port.kindsTo('cara')).toEqual(['sms']);
  });

  it('stops when the chain moves on or the incident resolves', async () => {
    const rule = { P1: [{ after: '0s', via: ['chat'] }, { after: '6m', via: ['sms'] }] };
    const moved = await bot(pagingConfig((raw) => void ((raw.people as Record<string, Record<string, unknown>>).cara!.notify = rule)));
    await moved.declare();
    await moved.advance(5 * MIN); // the backup (cole) is paged: cara's page is no longer the slot's current step
    await moved.advance(5 * MIN);
    expect(moved.port.kindsTo('cara')).toEqual([]);
    expect(moved.port.kindsTo('cole')).toEqual(['sms']); // cole's own default P1 rule: a text after 2 minutes

    const resolved = await bot();
    const incident = await resolved.declare();
    expect(JSON.stringify(await resolved.say('alice', `/incident resolve ${incident.id} false alarm`))).not.toMatch(/error/i);
    expect((await resolved.store.get(incident.id))!.status).toBe('resolved');
    await resolved.advance(10 * MIN);
    expect(resolved.port.kindsTo('cara')).toEqual(['ntfy']);
  });

  it('sends one text naming both roles to a person paged for two roles in the same minute', async () => {
    const config = pagingConfig((raw) => {
      const teams = raw.teams as Record<string, { rotation: { primary: string[] } }>;
      teams.sre!.rotation.primary = ['cara'];
    });
    const b = await bot(config);
    await b.declare();
    await b.advance(2 * MIN);
    const texts = b.port.sent.filter((s) => s.address.kind === 'sms' && s.notification.person === 'cara');
    expect(texts).toHaveLength(1);
    expect(texts[0]!.notification.fence.roles.map((r) => r.role).sort()).toEqual(['commander', 'ops']);
    expect(texts[0]!.notification.roles).toHaveLength(2);
    expect(b.port.sent.filter((s) => s.address.kind === 'ntfy' && s.notification.person === 'cara')).toHaveLength(1);
  });

  it('settles a notification whose page was acked before its turn came, without calling the provider', async () => {
    const b = await bot();
    const incident = await b.declare();
    const epoch = incident.slots.find((s) => s.role === 'commander')!.epoch;
    await b.say('cara', `/incident ack ${incident.id}`);
    const before = b.port.sent.length;
    const late = new PagingDelivery({ store: b.store, port: b.port, logger: silentLogger, tokenTtlMs: MIN, record: async () => undefined });
    const message = {
      id: `${incident.id}-late`, incident: incident.id, kind: 'paging' as const, address: { kind: 'sms' as const, phone: '+4915112345678' },
      notification: { ...b.port.sent[0]!.notification, fence: { incident: incident.id, person: 'cara', roles: [{ role: 'commander', epoch }] } },
    };
    await late.deliver(message);
    expect(b.port.sent.length).toBe(before);
    expect(await b.store.isDelivered(message.id)).toBe(true);
  });

  it('pages stay in chat without a paging port', async () => {
    const h = await harness(pagingConfig());
    await h.say('alice', '/incident declare Checkout is failing sev=P1 service=checkout');
    const [incident] = await h.store.listActive();
    expect(incident!.slots.every((slot) => slot.pages.every((page) => page.notify === undefined))).toBe(true);
  });
});
