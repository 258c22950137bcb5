/**
 * Paging at start (issue 14): the whole bot (buildRuntime, embedded) builds
 * the providers muster.yaml configures with their secrets from the
 * environment, says which are on, and serves the inbound callback routes on
 * its HTTP server when MUSTER_PUBLIC_URL is set: a signed keypress acks the
 * slot, an unsigned one is refused. Without the public URL it says at start
 * that acknowledging from the phone is off and serves no paging route.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.js';
import { buildRuntime, type Runtime } from '../../src/main.js';
import { AckTokens, storeLedger } from '../../src/paging/ack-links.js';
import { PAGING_ROUTES } from '../../src/paging/port.js';
import { FakeChat, testConfig } from '../support/fixture.js';
import { FakeTwilio } from '../support/paging/fake-twilio.js';
import { recordingLogger } from '../support/redis.js';

const SID = `AC${'a1'.repeat(16)}`;
const AUTH = 'twilio-auth-token-for-tests';
const KEY = 'k'.repeat(40);
const PUBLIC = 'https://muster.example.test';

const config = testConfig((raw) => {
  (raw.people as Record<string, Record<string, unknown>>).cara!.phone = '+4915112345678';
  raw.paging = { twilio: { accountSid: SID, from: '+15005550006' } };
});

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

async function bot(extra: Record<string, string>) {
  const logger = recordingLogger();
  const env = loadEnv({ MUSTER_HTTP_PORT: '0', TWILIO_AUTH_TOKEN: AUTH, MUSTER_PAGING_KEY: KEY, ...extra });
  const runtime = await buildRuntime({ config, env, chat: new FakeChat(), logger });
  runtimes.push(runtime);
  await runtime.muster.start({ watchdog: false });
  return { runtime, logger, base: `http://127.0.0.1:${runtime.httpPort}` };
}

describe('paging at start', () => {
  it('says which providers are on and acks a signed keypress through the mounted route', async () => {
    const { runtime, logger, base } = await bot({ MUSTER_PUBLIC_URL: PUBLIC });
    expect(logger.entries.some((e) => e.level === 'info' && e.message === 'paging providers on: twilio')).toBe(true);
    expect(logger.entries.some((e) => /acknowledging from the phone .*is off/.test(e.message))).toBe(false);
    expect(runtime.httpRoutes).toContain('POST /paging/twilio/gather');
    expect(logger.entries.some((e) => e.level === 'warn' && e.message.includes('people.pete: pete can be paged for a P1 but has no method that wakes people'))).toBe(true);
    expect(logger.entries.some((e) => e.message.includes('people.cara:'))).toBe(false);

    await runtime.muster.dispatch({ name: 'incident', args: 'declare Checkout is failing sev=P1 service=checkout', actor: 'console:alice', conversation: 'console:#general', requestId: 'r1' });
    await runtime.settle(5_000);
    const [incident] = await runtime.store.listActive();
    const slot = incident!.slots.find((s) => s.role === 'commander')!;
    const token = new AckTokens(KEY, storeLedger(runtime.store), () => Date.now()).issue({ incident: incident!.id, person: 'cara', roles: [{ role: 'commander', epoch: slot.epoch }] }, 60_000);
    const path = `${PAGING_ROUTES.twilioGather}?t=${encodeURIComponent(token)}`;
    const twilio = new FakeTwilio(SID, AUTH);

    const forged = await twilio.callBot(`${PUBLIC}${path}`, `${base}${path}`, { CallSid: 'CA1', Digits: '1' }, { forge: true });
    expect(forged.status).toBe(403);
    expect((await runtime.store.get(incident!.id))!.slots.find((s) => s.role === 'commander')!.state).toBe('paging');

    const pressed = await twilio.callBot(`${PUBLIC}${path}`, `${base}${path}`, { CallSid: 'CA1', Digits: '1' });
    expect(pressed.status).toBe(200);
    expect(pressed.text).toContain('Acknowledged');
    const after = (await runtime.store.get(incident!.id))!.slots.find((s) => s.role === 'commander')!;
    expect(after).toMatchObject({ state: 'acked', ackedBy: 'cara' });
  });

  it('without MUSTER_PUBLIC_URL says acknowledging from the phone is off and serves no paging route', async () => {
    const { runtime, logger, base } = await bot({});
    expect(logger.entries.some((e) => e.level === 'warn' && /MUSTER_PUBLIC_URL is not set.*acknowledging from the phone.*is off/.test(e.message))).toBe(true);
    expect(runtime.httpRoutes).not.toContain('POST /paging/twilio/gather');
    const response = await fetch(`${base}${PAGING_ROUTES.twilioStatus}`, { method: 'POST', body: 'CallSid=CA1&CallStatus=completed', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(404);
  });
});
