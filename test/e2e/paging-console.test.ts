/**
 * Waking the tech lead (issue 14), on the console adapter in embedded mode
 * with local fakes of Twilio and ntfy: a P1 where the commander ignores chat
 * and push gets the text at +2 min and the call at +5 min (the test's clock,
 * no wall-clock waits), presses 1 (a signed Gather callback to the real
 * route, with the token the call's TwiML carried), and the slot is staffed.
 * An ack in chat before the call means no call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleChat } from '../../adapters/console/chat.js';
import type { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { loadEnv } from '../../src/config/env.js';
import { silentLogger } from '../../src/logger.js';
import { buildRuntime, type Runtime } from '../../src/main.js';
import { testConfig } from '../support/fixture.js';
import { fakeNtfy } from '../support/paging/fake-providers.js';
import { FakeTwilio } from '../support/paging/fake-twilio.js';
import type { FakeHttpServer } from '../support/paging/fake-http.js';

const MIN = 60_000;
const SID = `AC${'b2'.repeat(16)}`;
const AUTH = 'twilio-auth-token-for-the-console-e2e';
const PUBLIC = 'https://muster.example.test';
const PHONE = '+4915112345678';

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function consoleBot() {
  const twilio = await new FakeTwilio(SID, AUTH).start();
  const ntfy = await fakeNtfy().start();
  stops.push(() => twilio.close(), () => ntfy.close());
  const config = testConfig((raw) => {
    (raw.people as Record<string, Record<string, unknown>>).cara = { name: 'Cara Commander', phone: PHONE, ntfy: 'cara-pages' };
    // The backup step after the call, so the call is the commander's own last method.
    (raw.escalation as { standard: { steps: Array<{ after: string }> } }).standard.steps[1]!.after = '10m';
    raw.paging = { twilio: { accountSid: SID, from: '+15005550006', baseUrl: twilio.url }, ntfy: { baseUrl: ntfy.url } };
  });
  let now = Date.now();
  const lines: string[] = [];
  const chat = new ConsoleChat(config, (line) => lines.push(line));
  const env = loadEnv({ MUSTER_HTTP_PORT: '0', MUSTER_PUBLIC_URL: PUBLIC, MUSTER_PAGING_KEY: 'p'.repeat(40), TWILIO_AUTH_TOKEN: AUTH });
  const runtime: Runtime = await buildRuntime({ config, env, chat, logger: silentLogger, clock: { now: () => now } });
  stops.push(() => runtime.close());
  await runtime.muster.start({ watchdog: false });
  let request = 0;
  const say = async (person: string, text: string) => {
    const [, name = '', args = ''] = /^\/(\w+)\s*(.*)$/s.exec(text) ?? [];
    request += 1;
    await runtime.muster.dispatch({ name, args, actor: `console:${person}`, conversation: 'console:#general', requestId: `c${request}` });
    await runtime.settle(5_000);
  };
  const advance = async (ms: number) => {
    now += ms;
    await (runtime.scheduler as InProcessScheduler).runDue();
    await runtime.settle(5_000);
  };
  const to = (server: FakeHttpServer, kind: string) => server.requests.filter((r) => r.path.endsWith(kind));
  return { runtime, twilio, ntfy, lines, say, advance, to, base: `http://127.0.0.1:${runtime.httpPort}` };
}

describe('console: waking the commander', () => {
  it('push at once, the text at +2 min, the call at +5 min; pressing 1 staffs the slot', async () => {
    const bot = await consoleBot();
    await bot.say('alice', '/incident declare Checkout is failing sev=P1 service=checkout');
    await bot.advance(0);
    expect(bot.ntfy.requests.map((r) => JSON.parse(r.body).topic)).toEqual(['cara-pages']);
    expect(bot.twilio.requests).toHaveLength(0);

    await bot.advance(2 * MIN);
    const texts = bot.to(bot.twilio, '/Messages.json');
    expect(texts).toHaveLength(1);
    const text = new URLSearchParams(texts[0]!.body);
    expect(text.get('To')).toBe(PHONE);
    expect(text.get('Body')).toContain('Reply 1 to acknowledge');
    expect(text.get('StatusCallback')).toBe(`${PUBLIC}/paging/twilio/status`);
    // Twilio's status callback for that text reaches the board.
    const [open] = await bot.runtime.store.listActive();
    const sid = open!.slots.find((s) => s.role === 'commander')!.pages[0]!.sent!.find((s) => s.kind === 'sms')!.messageId!;
    const status = await bot.twilio.callBot(`${PUBLIC}/paging/twilio/status`, `${bot.base}/paging/twilio/status`, { MessageSid: sid, MessageStatus: 'delivered' });
    expect(status.status).toBe(204);
    await bot.runtime.settle(5_000);
    expect(bot.lines.join('\n')).toContain('SMS delivered');

    await bot.advance(3 * MIN - 1);
    expect(bot.to(bot.twilio, '/Calls.json')).toHaveLength(0);
    await bot.advance(1);
    const calls = bot.to(bot.twilio, '/Calls.json');
    expect(calls).toHaveLength(1);
    const twiml = new URLSearchParams(calls[0]!.body).get('Twiml') ?? '';
    expect(twiml).toContain('Press 1 to acknowledge.');
    const action = /action="([^"]+)"/.exec(twiml)![1]!.replace(/&amp;/g, '&');
    expect(action.startsWith(`${PUBLIC}/paging/twilio/gather?t=`)).toBe(true);

    const path = action.slice(PUBLIC.length);
    const pressed = await bot.twilio.callBot(action, `${bot.base}${path}`, { CallSid: 'CA' + '0'.repeat(32), Digits: '1', From: PHONE });
    expect(pressed.status).toBe(200);
    expect(pressed.text).toContain('Acknowledged');
    await bot.runtime.settle(5_000);
    const [incident] = await bot.runtime.store.listActive();
    expect(incident!.slots.find((s) => s.role === 'commander')).toMatchObject({ state: 'acked', ackedBy: 'cara' });
    expect(bot.lines.some((line) => /Cara Commander/.test(line) && /acked|acknowledged/i.test(line))).toBe(true);

    // The same token again is refused and changes nothing.
    const again = await bot.twilio.callBot(action, `${bot.base}${path}`, { CallSid: 'CA' + '0'.repeat(32), Digits: '1', From: PHONE });
    expect(again.text).toContain('already used');
  });

  it('an ack in chat before the call means no call', async () => {
    const bot = await consoleBot();
    await bot.say('alice', '/incident declare Checkout is failing sev=P1 service=checkout');
    await bot.advance(0);
    await bot.advance(2 * MIN);
    expect(bot.to(bot.twilio, '/Messages.json')).toHaveLength(1);
    await bot.say('cara', '/incident ack INC-1');
    await bot.advance(10 * MIN);
    expect(bot.to(bot.twilio, '/Calls.json')).toHaveLength(0);
  });
});
