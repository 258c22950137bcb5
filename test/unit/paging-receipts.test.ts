/**
 * Provider receipts and phone acks (issue 14): a status callback lands on
 * the page, the timeline and the board; a text that fails, a call nobody
 * answers or a send refused for good moves the person to their next method
 * at once; a retryable failure is retried; an ack from the phone goes
 * through the muster's ack, fenced by the page's epoch.
 */
import { describe, expect, it } from 'vitest';
import { harness, testConfig } from '../support/fixture.js';
import { RecordingPagingPort } from '../support/paging/recording-port.js';

const MIN = 60_000;
const SID = `AC${'a1'.repeat(16)}`;

async function bot() {
  const config = testConfig((raw) => {
    const people = raw.people as Record<string, Record<string, unknown>>;
    people.cara = { ...people.cara, phone: '+4915112345678' };
    raw.paging = { twilio: { accountSid: SID, from: '+15005550006' } };
  });
  let now = () => 0;
  const port = new RecordingPagingPort(['sms', 'voice'], () => now());
  const h = await harness(config, { paging: { port } });
  now = () => h.clock.now();
  await h.say('alice', '/incident declare Checkout is failing sev=P1 service=checkout');
  await h.advance(0);
  const incident = (await h.store.listActive())[0]!;
  return { ...h, port, incident };
}

async function messageIdOf(b: Awaited<ReturnType<typeof bot>>, kind: string): Promise<string> {
  const record = (await b.store.get(b.incident.id))!;
  return record.slots.find((s) => s.role === 'commander')!.pages[0]!.sent!.find((s) => s.kind === kind)!.messageId!;
}

const lastBoard = (b: Awaited<ReturnType<typeof bot>>) => {
  const boards = b.chat.delivered.filter((d) => d.to.kind === 'room' && JSON.stringify(d.message).includes('Cara Commander'));
  return JSON.stringify(boards[boards.length - 1]?.message);
};

describe('provider receipts', () => {
  it('an undelivered text calls at once instead of at 5 minutes; the receipt is on the timeline and the board', async () => {
    const b = await bot();
    await b.advance(2 * MIN);
    expect(b.port.kindsTo('cara')).toEqual(['sms']);
    await b.muster.pagingStatus({ provider: 'twilio', kind: 'sms', messageId: await messageIdOf(b, 'sms'), state: 'failed', detail: 'undelivered', errorCode: '30003' });
    await b.advance(0);
    expect(b.port.kindsTo('cara')).toEqual(['sms', 'voice']);
    expect(b.port.sent[1]!.at - b.incident.declaredAt).toBe(2 * MIN);
    const receipt = b.events.find((e) => e.type === 'page.receipt')!;
    expect(receipt).toMatchObject({ person: 'cara', role: 'commander', data: { kind: 'sms', state: 'failed', detail: 'undelivered', errorCode: '30003' } });
    expect(lastBoard(b)).toContain('SMS undelivered');
    await b.advance(10 * MIN);
    expect(b.port.kindsTo('cara')).toEqual(['sms', 'voice']);
  });

  it('a delivered text shows on the board and changes no timing', async () => {
    const b = await bot();
    await b.advance(2 * MIN);
    await b.muster.pagingStatus({ provider: 'twilio', kind: 'sms', messageId: await messageIdOf(b, 'sms'), state: 'delivered', detail: 'delivered' });
    await b.advance(0);
    expect(lastBoard(b)).toContain('SMS delivered');
    expect(b.port.kindsTo('cara')).toEqual(['sms']);
  });

  it('a text refused for good (4xx) calls at once; a 5xx is retried and sent once', async () => {
    const refused = await bot();
    refused.port.failNext('sms', { retryable: false, reason: 'HTTP 400 (Twilio 21211): not a valid phone number' });
    await refused.advance(2 * MIN);
    await refused.advance(0);
    expect(refused.port.kindsTo('cara')).toEqual(['sms', 'voice']);
    expect(refused.events.find((e) => e.type === 'page.notify_failed')!.data).toMatchObject({ kind: 'sms', reason: expect.stringContaining('21211') });

    const flaky = await bot();
    flaky.port.failNext('sms', { retryable: true, reason: 'HTTP 503' });
    await flaky.advance(2 * MIN);
    await flaky.outbox.idle();
    expect(flaky.port.kindsTo('cara')).toEqual(['sms', 'sms']);
    expect(flaky.events.filter((e) => e.type === 'page.notified')).toHaveLength(1);
    expect(flaky.events.filter((e) => e.type === 'page.notify_failed')).toHaveLength(0);
  });
});

describe('acknowledging from the phone', () => {
  it('acks the slot through the muster; a superseded page acks nothing', async () => {
    const b = await bot();
    const epoch = b.incident.slots.find((s) => s.role === 'commander')!.epoch;
    expect(await b.muster.phoneAck({ incident: b.incident.id, person: 'cara', roles: [{ role: 'commander', epoch: epoch + 1 }], via: 'sms' })).toBe('stale');
    expect((await b.store.get(b.incident.id))!.slots.find((s) => s.role === 'commander')!.state).toBe('paging');
    expect(await b.muster.phoneAck({ incident: b.incident.id, person: 'cara', roles: [{ role: 'commander', epoch }], via: 'sms' })).toBe('acked');
    expect((await b.store.get(b.incident.id))!.slots.find((s) => s.role === 'commander')).toMatchObject({ state: 'acked', ackedBy: 'cara' });
    expect(await b.muster.phoneAck({ incident: b.incident.id, person: 'cara', roles: [{ role: 'commander', epoch }], via: 'sms' })).toBe('already');
    await b.advance(10 * MIN);
    expect(b.port.kindsTo('cara')).toEqual([]);
  });
});
