import { createHmac } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerPagingRoutes, twilioHooks } from '../../adapters/http/paging-hooks.js';
import { MemoryStore } from '../../adapters/memory/store.js';
import { translator } from '../../src/i18n/catalog.js';
import type { Logger } from '../../src/logger.js';
import { AckTokens, storeLedger } from '../../src/paging/ack-links.js';
import { dedupKey, parseSmsAck, phoneDirectory, type DeliveryStatus, type InboundPaging, type OpenPage, type PhoneAck, type PhoneAckOutcome } from '../../src/paging/inbound.js';
import { ackLinkUrl, gatherUrl } from '../../src/paging/port.js';
import { FakeTwilio } from '../support/paging/fake-twilio.js';

const PUBLIC = 'https://muster.example.test';
const KEY = 'k'.repeat(40);
const AUTH = 'twilio-auth-token-for-tests';
const PD_SECRET = 'pagerduty-webhook-secret';
const FENCE = { incident: 'INC-42', person: 'ana', roles: [{ role: 'tech', epoch: 3 }] };

interface Harness {
  app: FastifyInstance;
  local: string;
  acks: PhoneAck[];
  statuses: DeliveryStatus[];
  warnings: Array<{ fields: object; message: string }>;
  tokens: AckTokens;
  open: OpenPage[];
  clock: { now: number };
  outcome: { next: PhoneAckOutcome };
}

let h: Harness;

beforeEach(async () => {
  const clock = { now: Date.UTC(2026, 0, 1) };
  const store = new MemoryStore(() => clock.now);
  const ledger = storeLedger(store);
  const tokens = new AckTokens(KEY, ledger, () => clock.now);
  const warnings: Harness['warnings'] = [];
  const logger: Logger = { debug: () => {}, info: () => {}, error: () => {}, warn: (fields, message) => warnings.push({ fields, message }) };
  const acks: PhoneAck[] = [];
  const statuses: DeliveryStatus[] = [];
  const open: OpenPage[] = [{ ...FENCE, incidentNumber: 42 }];
  const outcome = { next: 'acked' as PhoneAckOutcome };
  const inbound: InboundPaging = {
    tokens,
    ledger,
    logger,
    onAck: async (ack) => {
      acks.push(ack);
      return outcome.next;
    },
    onStatus: async (status) => {
      statuses.push(status);
    },
    openPages: async (person) => open.filter((p) => p.person === person),
    personByPhone: phoneDirectory({ ana: { phone: '+4915112345678' }, bo: {} }),
  };
  const app = Fastify({ logger: false });
  await app.register(async (scope) =>
    registerPagingRoutes(scope, { inbound, publicUrl: PUBLIC, twilio: await twilioHooks(AUTH), pagerdutyWebhookSecret: PD_SECRET, t: translator('en'), locale: 'en' }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const local = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  h = { app, local, acks, statuses, warnings, tokens, open, clock, outcome };
});

afterEach(async () => {
  await h.app.close();
});

const twilio = new FakeTwilio(`AC${'1'.repeat(32)}`, AUTH);
const localOf = (url: string) => url.replace(PUBLIC, h.local);

describe('one-tap acknowledge links', () => {
  it('GET shows a confirmation and changes nothing; POST acknowledges once; a second use is refused', async () => {
    const url = ackLinkUrl(PUBLIC, h.tokens.issue(FENCE, 60_000));
    const shown = await fetch(localOf(url));
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('Acknowledge INC-42? You take tech.');
    expect(h.acks).toEqual([]);
    const first = await fetch(localOf(url), { method: 'POST' });
    expect(await first.json()).toEqual({ outcome: 'acked', message: 'Acknowledged. You are on it: join the war room.' });
    expect(h.acks).toEqual([{ ...FENCE, via: 'link' }]);
    const again = await fetch(localOf(url), { method: 'POST' });
    expect(again.status).toBe(410);
    expect(await again.json()).toMatchObject({ outcome: 'refused', message: 'This acknowledge link was already used. Nothing changed.' });
    expect(h.acks).toHaveLength(1);
  });

  it('an expired link is refused and logged at warn without the token', async () => {
    const token = h.tokens.issue(FENCE, 60_000);
    h.clock.now += 60_001;
    const response = await fetch(localOf(ackLinkUrl(PUBLIC, token)), { method: 'POST' });
    expect(response.status).toBe(410);
    expect((await response.json()).message).toBe('This acknowledge link has expired: acknowledge in chat.');
    expect(h.acks).toEqual([]);
    expect(h.warnings).toEqual([{ fields: { via: 'link', reason: 'expired' }, message: 'acknowledge token refused' }]);
    expect(JSON.stringify(h.warnings)).not.toContain(token);
  });

  it('a link whose roles or epoch were edited is forged and refused', async () => {
    const token = h.tokens.issue(FENCE, 60_000);
    const [version, body, signature] = token.split('.');
    const edited = Buffer.from(Buffer.from(body!, 'base64url').toString().replace('3]]', '4]]')).toString('base64url');
    expect(h.tokens.inspect(`${version}.${edited}.${signature}`)).toEqual({ ok: false, reason: 'forged' });
    const other = new AckTokens('z'.repeat(40), storeLedger(new MemoryStore()), () => h.clock.now).issue(FENCE, 60_000);
    const response = await fetch(localOf(ackLinkUrl(PUBLIC, other)), { method: 'POST' });
    expect(response.status).toBe(410);
    expect(h.acks).toEqual([]);
  });

  it('a link whose ack could not be recorded can be used again', async () => {
    const ledger = storeLedger(new MemoryStore(() => h.clock.now));
    const tokens = new AckTokens(KEY, ledger, () => h.clock.now);
    const token = tokens.issue(FENCE, 60_000);
    const { redeemAckToken } = await import('../../src/paging/inbound.js');
    const inbound = { tokens, ledger, logger: { debug() {}, info() {}, warn() {}, error() {} }, onAck: async () => { throw new Error('store down'); }, onStatus: async () => {}, openPages: async () => [], personByPhone: () => undefined };
    await expect(redeemAckToken(inbound, token, 'link')).rejects.toThrow('store down');
    expect((await tokens.redeem(token)).ok).toBe(true);
  });
});

describe('Twilio callbacks', () => {
  it('a signed Gather with 1 acknowledges the fence in the token; a replay is refused', async () => {
    const url = gatherUrl(PUBLIC, h.tokens.issue(FENCE, 600_000));
    const params = { CallSid: 'CA1', Digits: '1', From: '+15005550006', To: '+4915112345678' };
    const first = await twilio.callBot(url, localOf(url), params);
    expect(first.status).toBe(200);
    expect(first.text).toContain('<Say language="en-US">Acknowledged. You are on it: join the war room.</Say>');
    expect(h.acks).toEqual([{ ...FENCE, via: 'voice' }]);
    const replay = await twilio.callBot(url, localOf(url), params);
    expect(replay.text).toContain('already used');
    expect(h.acks).toHaveLength(1);
  });

  it('a forged Gather is refused with 403 and changes nothing', async () => {
    const url = gatherUrl(PUBLIC, h.tokens.issue(FENCE, 600_000));
    const forged = await twilio.callBot(url, localOf(url), { CallSid: 'CA1', Digits: '1' }, { forge: true });
    expect(forged.status).toBe(403);
    expect(h.acks).toEqual([]);
    expect(h.warnings[0]?.message).toBe('call keypress refused: bad or missing signature');
    expect(JSON.stringify(h.warnings)).not.toContain('ma1.');
  });

  it('a Gather signed for another token (the URL changed) is refused', async () => {
    const signedFor = gatherUrl(PUBLIC, h.tokens.issue(FENCE, 600_000));
    const other = gatherUrl(PUBLIC, h.tokens.issue({ ...FENCE, roles: [{ role: 'commander', epoch: 1 }] }, 600_000));
    const response = await twilio.callBot(signedFor, localOf(other), { CallSid: 'CA1', Digits: '1' });
    expect(response.status).toBe(403);
    expect(h.acks).toEqual([]);
  });

  it('an SMS reply "1" acknowledges the one open page; "ACK 42" names it; a replayed MessageSid is refused', async () => {
    const url = `${PUBLIC}/paging/twilio/sms`;
    const reply = await twilio.callBot(url, localOf(url), { MessageSid: 'SM1', From: '+4915112345678', Body: ' 1 ' });
    expect(reply.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Acknowledged. You are on it: join the war room.</Message></Response>');
    expect(h.acks).toEqual([{ ...FENCE, via: 'sms' }]);
    h.outcome.next = 'already';
    const named = await twilio.callBot(url, localOf(url), { MessageSid: 'SM2', From: '+4915112345678', Body: 'ACK 42' });
    expect(named.text).toContain('You had already acknowledged.');
    const replay = await twilio.callBot(url, localOf(url), { MessageSid: 'SM2', From: '+4915112345678', Body: 'ACK 42' });
    expect(replay.text).toContain('could not be verified');
    expect(h.acks).toHaveLength(2);
  });

  it('with two open pages "1" asks which; from an unknown number nothing happens', async () => {
    h.open.push({ incident: 'INC-43', incidentNumber: 43, person: 'ana', roles: [{ role: 'ops', epoch: 1 }] });
    const url = `${PUBLIC}/paging/twilio/sms`;
    expect((await twilio.callBot(url, localOf(url), { MessageSid: 'SM3', From: '+4915112345678', Body: '1' })).text).toContain('reply ACK &lt;number&gt;, one of 42, 43.');
    expect((await twilio.callBot(url, localOf(url), { MessageSid: 'SM4', From: '+4400000000', Body: '1' })).text).toContain('This number is not in Muster.');
    expect(h.acks).toEqual([]);
  });

  it('signed status callbacks become receipts; a replay and a forgery do not', async () => {
    const url = `${PUBLIC}/paging/twilio/status`;
    expect((await twilio.callBot(url, localOf(url), { CallSid: 'CA9', CallStatus: 'no-answer' })).status).toBe(204);
    await twilio.callBot(url, localOf(url), { MessageSid: 'SM9', MessageStatus: 'undelivered', ErrorCode: '30003' });
    await twilio.callBot(url, localOf(url), { CallSid: 'CA9', CallStatus: 'no-answer' });
    expect((await twilio.callBot(url, localOf(url), { CallSid: 'CA8', CallStatus: 'completed' }, { forge: true })).status).toBe(403);
    expect(h.statuses).toEqual([
      { provider: 'twilio', kind: 'voice', messageId: 'CA9', state: 'failed', detail: 'no-answer' },
      { provider: 'twilio', kind: 'sms', messageId: 'SM9', state: 'failed', detail: 'undelivered', errorCode: '30003' },
    ]);
  });
});

describe('PagerDuty v3 webhooks', () => {
  const post = (body: string, signature: string) =>
    fetch(`${h.local}/paging/pagerduty`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signature }, body });
  const sign = (body: string, secret = PD_SECRET) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const event = (id: string) => JSON.stringify({ event: { id, event_type: 'incident.acknowledged', resource_type: 'incident', data: { id: 'PGR0VU2', type: 'incident', incident_key: dedupKey('INC-42', 'ana') } } });

  it('an acknowledged incident Muster triggered acks the person (rotated secrets accepted); a replay is refused', async () => {
    const body = event('01');
    const response = await post(body, `${sign(body, 'old-secret')},${sign(body)}`);
    expect(await response.json()).toEqual({ outcome: 'acked' });
    expect(h.acks).toEqual([{ ...FENCE, via: 'pagerduty' }]);
    expect(await (await post(body, sign(body))).json()).toEqual({ outcome: 'refused' });
    expect(h.acks).toHaveLength(1);
  });

  it('a forged signature is refused with 403', async () => {
    const body = event('02');
    expect((await post(body, sign(body, 'guess'))).status).toBe(403);
    expect((await post(body, '')).status).toBe(403);
    expect(h.acks).toEqual([]);
  });
});

describe('SMS reply grammar', () => {
  it('reads 1, ACK, ACK 42 and ACK INC-42, and nothing else', () => {
    expect(parseSmsAck('1')).toEqual({});
    expect(parseSmsAck('ack')).toEqual({});
    expect(parseSmsAck('ACK 42')).toEqual({ number: 42 });
    expect(parseSmsAck('ack inc-42')).toEqual({ number: 42 });
    expect(parseSmsAck('12')).toBeUndefined();
    expect(parseSmsAck('on my way')).toBeUndefined();
  });
});
