/**
 * Shift notices by push on the console adapter in production mode (issue
 * 16): two replicas on one real Redis prefix, each with its own BullMQ
 * workers and a local fake ntfy server. A cover starting now is a handoff
 * now: the cover gets the DM and one push naming the team, the interval in
 * the team's zone and the incident they inherit, however often either
 * replica fires the handoff.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleChat } from '../../adapters/console/chat.js';
import { loadEnv } from '../../src/config/env.js';
import { translator } from '../../src/i18n/catalog.js';
import { silentLogger } from '../../src/logger.js';
import { buildRuntime, type Runtime } from '../../src/main.js';
import { onCall } from '../../src/muster/rotation.js';
import { formatInterval } from '../../src/schedules/time.js';
import { TEST_AUDIT_SECRET } from '../support/audit-key.js';
import { testConfig } from '../support/fixture.js';
import { fakeNtfy } from '../support/paging/fake-providers.js';
import { REDIS_URL, cleanupPrefix, newPrefix, until } from '../support/redis.js';

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function replicas() {
  const ntfy = await fakeNtfy().start();
  const prefix = newPrefix();
  stops.push(() => ntfy.close(), () => cleanupPrefix(prefix));
  const config = testConfig((raw) => {
    const people = raw.people as Record<string, Record<string, unknown>>;
    people.mona = { ...people.mona, ntfy: 'mona-pager' };
    const teams = raw.teams as Record<string, Record<string, unknown>>;
    teams.payments = { ...teams.payments, timeZone: 'Europe/Berlin', rotation: { primary: ['pete', 'pam'], backup: ['cole', 'sid'], start: '2026-01-05' } };
    raw.paging = { ntfy: { baseUrl: ntfy.url } };
  });
  const env = loadEnv({ REDIS_URL, MUSTER_REDIS_PREFIX: prefix, MUSTER_AUDIT_KEY: TEST_AUDIT_SECRET });
  const lines: string[] = [];
  const replica = async (): Promise<Runtime> => {
    const runtime = await buildRuntime({ config, env, chat: new ConsoleChat(config, (line) => lines.push(line)), logger: silentLogger });
    stops.push(() => runtime.close());
    await runtime.muster.start({ watchdog: false });
    return runtime;
  };
  const [a, b] = [await replica(), await replica()];
  let request = 0;
  const say = async (person: string, text: string) => {
    const [, name = '', args = ''] = /^\/(\w+)\s*(.*)$/s.exec(text) ?? [];
    request += 1;
    return a.muster.dispatch({ name, args, actor: `console:${person}`, conversation: 'console:#general', requestId: `c${request}` });
  };
  return { config, ntfy, a, b, lines, say };
}

describe('console on Redis: shift notices by push', () => {
  it('two replicas: a cover starting now gets one DM and one push, with team, interval and zone, and the incident inherited', async () => {
    const { config, ntfy, a, b, lines, say } = await replicas();
    expect([a.mode, b.mode]).toEqual(['production', 'production']);
    const primary = onCall(config.teams.payments!, Date.now()).primary;
    await say('alice', '/incident declare Checkout failing sev=P3 service=checkout');
    const cover = await say(primary, '/oncall cover payments mona 1h team offsite');
    expect(cover.message.text).toContain('CHG-1');
    const [change] = await a.shifts.list();
    const leg = change!.legs[0]!;
    const handoff = `handoff-payments-primary-${leg.start}`;

    await until(async () => ntfy.requests.length > 0, 'the push to mona');
    // Both replicas fire the same handoff again (a duplicate alarm, a re-plan): the delivered marks in Redis hold.
    const timer = { id: handoff, dueAt: leg.start, incident: 'schedules', kind: 'handoff' as const, key: handoff, epoch: leg.start };
    await Promise.all([a.muster.fireTimer(timer), b.muster.fireTimer(timer)]);
    await Promise.all([a.settle(), b.settle()]);

    expect(ntfy.requests).toHaveLength(1);
    const push = JSON.parse(ntfy.requests[0]!.body) as { topic: string; title: string; message: string; priority: number };
    const interval = formatInterval(leg, 'Europe/Berlin', 'en', translator('en'));
    expect(push).toMatchObject({ topic: 'mona-pager', title: 'On call: payments primary', priority: 3 });
    expect(push.message).toBe(
      `You hold the payments primary pager ${interval}, taking over from ${config.people[primary]!.name}.\nYou inherit 1 open incident:\nINC-1 [P3] Checkout failing`,
    );
    expect(lines.filter((line) => line.startsWith('[DM @mona]') && line.includes('You are on call'))).toHaveLength(1);
  }, 60_000);
});
