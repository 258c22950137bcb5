import { afterEach, describe, expect, it } from 'vitest';
import { sendEmail, smtpTransport } from '../../adapters/paging/email.js';
import { sendNtfy } from '../../adapters/paging/ntfy.js';
import { sendPagerDuty } from '../../adapters/paging/pagerduty.js';
import { sendPushover } from '../../adapters/paging/pushover.js';
import { ProviderPaging, providerPaging } from '../../adapters/paging/router.js';
import { sendCall, sendSms, twilioClient } from '../../adapters/paging/twilio.js';
import { pagingConfigSchema } from '../../src/config/paging.js';
import { pagingEnv } from '../../src/config/paging-env.js';
import { translator } from '../../src/i18n/catalog.js';
import type { PageNotification } from '../../src/paging/port.js';
import { fakeNtfy, fakePagerDuty, fakePushover } from '../support/paging/fake-providers.js';
import { FakeSmtp } from '../support/paging/fake-smtp.js';
import { FakeTwilio } from '../support/paging/fake-twilio.js';

const t = translator('en');
const ACCOUNT = `AC${'1'.repeat(32)}`;
const TOKEN = 'twilio-auth-token-for-tests';
const PUSHOVER_APP = 'a'.repeat(30);
const PUSHOVER_USER = 'u'.repeat(30);
const ROUTING_KEY = 'r'.repeat(32);
const PUBLIC = 'https://muster.example.test';

const notification = (over: Partial<PageNotification> = {}): PageNotification => ({
  incident: 'INC-42',
  incidentNumber: 42,
  severity: 'P1',
  title: 'checkout is failing',
  person: 'ana',
  roles: ['tech lead'],
  drill: false,
  room: { name: '#inc-42-checkout-is-failing', url: 'https://chat.example.test/inc-42' },
  fence: { incident: 'INC-42', person: 'ana', roles: [{ role: 'tech', epoch: 3 }] },
  ackToken: 'ma1.token.sig',
  ...over,
});

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
async function started<T extends { start(): Promise<T>; close(): Promise<void> }>(fake: T): Promise<T> {
  await fake.start();
  closers.push(() => fake.close());
  return fake;
}

async function twilioSetup(timeout = '5s') {
  const fake = await started(new FakeTwilio(ACCOUNT, TOKEN));
  const config = pagingConfigSchema.parse({ twilio: { accountSid: ACCOUNT, from: '+15005550006', baseUrl: fake.url, timeout } }).twilio!;
  return { fake, options: { client: twilioClient(config, TOKEN), config, t, locale: 'en' as const, publicUrl: PUBLIC } };
}

describe('Twilio adapter against the fake REST API (twilio package, rebased)', () => {
  it('texts through the Messages API with the status callback and the reply instruction', async () => {
    const { fake, options } = await twilioSetup();
    const receipt = await sendSms(options, { kind: 'sms', phone: '+4915112345678' }, notification());
    expect(receipt).toMatchObject({ status: 'accepted', provider: 'twilio', kind: 'sms' });
    expect(receipt.status === 'accepted' && receipt.messageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(fake.requests[0]?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
    const form = fake.form(0);
    expect(form.get('To')).toBe('+4915112345678');
    expect(form.get('From')).toBe('+15005550006');
    expect(form.get('StatusCallback')).toBe(`${PUBLIC}/paging/twilio/status`);
    expect(form.get('Body')).toBe('P1 INC-42: checkout is failing\nYou are paged as tech lead.\nWar room: #inc-42-checkout-is-failing https://chat.example.test/inc-42.\nReply 1 to acknowledge.');
  });

  it('calls with TwiML that reads the page and gathers 1 through the signed callback', async () => {
    const { fake, options } = await twilioSetup();
    const receipt = await sendCall(options, { kind: 'voice', phone: '+4915112345678' }, notification());
    expect(receipt.status).toBe('accepted');
    const twiml = fake.form(0).get('Twiml') ?? '';
    expect(twiml).toContain(`<Gather numDigits="1" action="${PUBLIC}/paging/twilio/gather?t=ma1.token.sig" method="POST"`);
    expect(twiml).toContain('<Say language="en-US">This is Muster. P1, INC-42, checkout is failing.</Say><Say language="en-US">You are paged as tech lead.</Say><Say language="en-US">Press 1 to acknowledge.</Say>');
    expect(twiml).not.toContain('drill');
  });

  it('says "This is a drill" first in a drill, and DRILL in the text', async () => {
    const { fake, options } = await twilioSetup();
    await sendCall(options, { kind: 'voice', phone: '+4915112345678' }, notification({ drill: true }));
    await sendSms(options, { kind: 'sms', phone: '+4915112345678' }, notification({ drill: true }));
    expect(fake.form(0).get('Twiml')).toMatch(/<Gather[^>]*><Say language="en-US">This is a drill\.<\/Say><Say language="en-US">This is Muster\. P1, INC-42/);
    expect(fake.form(1).get('Body')).toMatch(/^DRILL P1 INC-42: /);
  });

  it('without MUSTER_PUBLIC_URL still calls and texts, and says to acknowledge in chat', async () => {
    const { fake, options } = await twilioSetup();
    const offline = { ...options, publicUrl: undefined };
    expect((await sendCall(offline, { kind: 'voice', phone: '+4915112345678' }, notification())).status).toBe('accepted');
    expect((await sendSms(offline, { kind: 'sms', phone: '+4915112345678' }, notification())).status).toBe('accepted');
    expect(fake.form(0).get('Twiml')).not.toContain('Gather');
    expect(fake.form(0).get('Twiml')).toContain('Acknowledge in chat. Acknowledging from the phone is off.');
    expect(fake.form(0).get('StatusCallback')).toBeNull();
    expect(fake.form(1).get('Body')).toMatch(/Acknowledge in chat\.$/);
  });

  it('a 4xx (bad number) is a final failure with Twilio\'s words; a 5xx is retryable', async () => {
    const { fake, options } = await twilioSetup();
    const bad = await sendSms(options, { kind: 'sms', phone: '+0123' }, notification());
    expect(bad).toMatchObject({ status: 'failed', retryable: false, code: 400 });
    expect(bad.status === 'failed' && bad.reason).toContain("Twilio 21211): The 'To' number +0123 is not a valid phone number.");
    fake.answerNext({ status: 503, body: { code: 20500, message: 'Service Unavailable', status: 503 } });
    expect(await sendSms(options, { kind: 'sms', phone: '+4915112345678' }, notification())).toMatchObject({ status: 'failed', retryable: true, code: 503 });
  });

  it('a provider that hangs ends in a retryable timeout receipt', async () => {
    const { fake, options } = await twilioSetup('300ms');
    fake.hangNext();
    const receipt = await sendCall(options, { kind: 'voice', phone: '+4915112345678' }, notification());
    expect(receipt).toMatchObject({ status: 'failed', retryable: true });
    expect(receipt.status === 'failed' && receipt.reason).toMatch(/no answer within 300 ms/);
  });
});

describe('ntfy adapter', () => {
  const config = (url: string, timeout = '5s') => pagingConfigSchema.parse({ ntfy: { baseUrl: url, timeout } }).ntfy!;

  it('posts one JSON message to the topic, priority 5, with an acknowledge button that POSTs', async () => {
    const fake = await started(fakeNtfy('tk_secret'));
    const receipt = await sendNtfy({ config: config(fake.url), token: 'tk_secret', publicUrl: PUBLIC, t }, { kind: 'ntfy', topic: 'ana-7f3k' }, notification());
    expect(receipt).toMatchObject({ status: 'accepted', provider: 'ntfy' });
    const body = JSON.parse(fake.requests[0]?.body ?? '{}');
    expect(body).toMatchObject({ topic: 'ana-7f3k', title: 'P1 INC-42: checkout is failing', priority: 5, click: 'https://chat.example.test/inc-42' });
    expect(body.actions[0]).toEqual({ action: 'http', label: 'Acknowledge', url: `${PUBLIC}/paging/ack?t=ma1.token.sig`, method: 'POST', clear: true });
  });

  it('a wrong token is a final failure quoting ntfy; a hang times out retryably', async () => {
    const fake = await started(fakeNtfy('tk_secret'));
    const denied = await sendNtfy({ config: config(fake.url), token: 'tk_wrong', t }, { kind: 'ntfy', topic: 'ana' }, notification());
    expect(denied).toMatchObject({ status: 'failed', retryable: false, code: 403, reason: 'HTTP 403: forbidden' });
    fake.hangNext();
    const hung = await sendNtfy({ config: config(fake.url, '200ms'), token: 'tk_secret', t }, { kind: 'ntfy', topic: 'ana' }, notification());
    expect(hung).toMatchObject({ status: 'failed', retryable: true, reason: 'no answer within 200 ms' });
  });
});

describe('Pushover adapter', () => {
  const config = (url: string) => pagingConfigSchema.parse({ pushover: { baseUrl: url } }).pushover!;

  it('posts the form with the acknowledge link as the supplementary URL', async () => {
    const fake = await started(fakePushover(PUSHOVER_APP, [PUSHOVER_USER]));
    const receipt = await sendPushover({ config: config(fake.url), token: PUSHOVER_APP, publicUrl: PUBLIC, t }, { kind: 'pushover', user: PUSHOVER_USER }, notification({ drill: true }));
    expect(receipt.status).toBe('accepted');
    const form = new URLSearchParams(fake.requests[0]?.body);
    expect(form.get('title')).toBe('DRILL P1 INC-42: checkout is failing');
    expect(form.get('priority')).toBe('1');
    expect(form.get('url')).toBe(`${PUBLIC}/paging/ack?t=ma1.token.sig`);
  });

  it('an unknown user key is final, with Pushover\'s errors; a 500 with Retry-After is retryable', async () => {
    const fake = await started(fakePushover(PUSHOVER_APP, [PUSHOVER_USER]));
    const options = { config: config(fake.url), token: PUSHOVER_APP, t };
    const bad = await sendPushover(options, { kind: 'pushover', user: 'x'.repeat(30) }, notification());
    expect(bad).toMatchObject({ status: 'failed', retryable: false, code: 400 });
    expect(bad.status === 'failed' && bad.reason).toContain('user identifier is not a valid user');
    fake.answerNext({ status: 500, body: 'oops', headers: { 'retry-after': '7' } });
    expect(await sendPushover(options, { kind: 'pushover', user: PUSHOVER_USER }, notification())).toMatchObject({ status: 'failed', retryable: true, code: 500, retryAfterMs: 7000 });
  });
});

describe('PagerDuty Events API v2 adapter', () => {
  const config = (url: string) => pagingConfigSchema.parse({ pagerduty: { baseUrl: url } }).pagerduty!;

  it('triggers with a dedup key per person and incident, then acknowledges and resolves it', async () => {
    const fake = await started(fakePagerDuty());
    const options = { config: config(fake.url), t };
    const address = { kind: 'pagerduty' as const, routingKey: ROUTING_KEY };
    const trigger = await sendPagerDuty(options, address, notification());
    expect(trigger).toEqual({ status: 'accepted', provider: 'pagerduty', kind: 'pagerduty', messageId: 'muster:INC-42:ana' });
    expect(JSON.parse(fake.requests[0]?.body ?? '{}')).toMatchObject({ event_action: 'trigger', payload: { summary: 'P1 INC-42: checkout is failing', severity: 'critical', source: 'muster' } });
    expect((await sendPagerDuty(options, address, notification({ pagerdutyAction: 'acknowledge' }))).status).toBe('accepted');
    expect((await sendPagerDuty(options, address, notification({ pagerdutyAction: 'resolve' }))).status).toBe('accepted');
    expect(fake.requests.map((r) => JSON.parse(r.body).event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
  });

  it('an invalid routing key is a final failure; a 429 is retryable', async () => {
    const fake = await started(fakePagerDuty());
    const options = { config: config(fake.url), t };
    const bad = await sendPagerDuty(options, { kind: 'pagerduty', routingKey: 'short' }, notification());
    expect(bad).toMatchObject({ status: 'failed', retryable: false, code: 400, reason: "HTTP 400: Event object is invalid: 'routing_key' is invalid" });
    fake.answerNext({ status: 429, body: { status: 'throttled' } });
    expect(await sendPagerDuty(options, { kind: 'pagerduty', routingKey: ROUTING_KEY }, notification())).toMatchObject({ status: 'failed', retryable: true, code: 429 });
  });
});

describe('email adapter against a local SMTP server', () => {
  async function setup() {
    const smtp = await started(new FakeSmtp({ user: 'muster', password: 'smtp-password' }));
    const config = pagingConfigSchema.parse({ email: { host: '127.0.0.1', port: smtp.port, from: 'Muster <muster@example.test>', timeout: '2s' } }).email!;
    const transport = smtpTransport(config, { user: 'muster', password: 'smtp-password' });
    closers.push(async () => transport.close());
    return { smtp, options: { transport, config, publicUrl: PUBLIC, t } };
  }

  it('sends the page with the acknowledge link', async () => {
    const { smtp, options } = await setup();
    const receipt = await sendEmail(options, { kind: 'email', address: 'ana@example.test' }, notification());
    expect(receipt.status).toBe('accepted');
    const mail = smtp.mails[0]!;
    expect(mail.to).toEqual(['ana@example.test']);
    expect(mail.raw).toContain('Subject: P1 INC-42: checkout is failing');
    expect(mail.raw).toContain(`Acknowledge: ${PUBLIC}/paging/ack?t=ma1.token.sig`);
  });

  it('a 550 refusal is final, a 451 retryable', async () => {
    const { smtp, options } = await setup();
    smtp.refuse.set('gone@example.test', 550);
    smtp.refuse.set('busy@example.test', 451);
    expect(await sendEmail(options, { kind: 'email', address: 'gone@example.test' }, notification())).toMatchObject({ status: 'failed', retryable: false, code: 550 });
    expect(await sendEmail(options, { kind: 'email', address: 'busy@example.test' }, notification())).toMatchObject({ status: 'failed', retryable: true, code: 451 });
    expect(smtp.mails).toEqual([]);
  });
});

describe('the paging port over the providers', () => {
  it('routes each kind to its provider, and says which block to add for one that is off', async () => {
    const fake = await started(fakeNtfy());
    const paging = pagingConfigSchema.parse({ ntfy: { baseUrl: fake.url } });
    const port = await providerPaging(paging, pagingEnv(paging, {}), 'en');
    expect(port.available()).toEqual(['ntfy']);
    expect((await port.notify({ kind: 'ntfy', topic: 'ana' }, notification())).status).toBe('accepted');
    expect(await port.notify({ kind: 'sms', phone: '+4915112345678' }, notification())).toEqual({
      status: 'failed', provider: 'twilio', kind: 'sms', retryable: false, reason: 'no twilio provider is configured (add paging.twilio to muster.yaml)',
    });
    expect(new ProviderPaging({}).available()).toEqual([]);
  });
});
