/**
 * The calendar feeds end to end: the route on the real ops server (fastify
 * inject), and the `muster calendar` / `muster validate` CLI on a real Redis.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { buildOpsApp } from '../../adapters/http/ops.js';
import { MemoryShiftChangeStore } from '../../adapters/memory/shift-changes.js';
import { RedisShiftChangeStore } from '../../adapters/redis/shift-changes.js';
import { translator } from '../../src/i18n/catalog.js';
import { silentLogger } from '../../src/logger.js';
import { coverShift } from '../../src/schedules/changes.js';
import { feedPath, revokeFeed } from '../../src/schedules/feed-tokens.js';
import { berlin, SCHEDULE_YAML, scheduleConfig } from '../unit/schedules-support.js';
import { muster } from './cli.js';
import { redisSandbox } from './redis-sandbox.js';

const KEY = 'k'.repeat(40);
const t = translator('en');

async function calendarApp() {
  const config = scheduleConfig();
  const store = new MemoryShiftChangeStore();
  const now = berlin('2026-10-21T10:00');
  await coverShift({ config, store, now: () => now, t }, {
    actor: 'cat', team: 'payments', position: 'primary', person: 'ben', interval: { start: berlin('2026-10-24T18:00'), end: berlin('2026-10-26T09:00') }, reason: 'wedding <b>',
  });
  const app = await buildOpsApp({
    metrics: { contentType: 'text/plain', render: async () => '' },
    ready: async () => ({ ok: true, checks: {} }) as never,
    calendar: { key: KEY, store, config, t, now: () => now, logger: silentLogger },
    logger: silentLogger,
  });
  return { app, store };
}

describe('GET /calendar/<kind>/<id>/<token>.ics', () => {
  it('serves the team feed to its secret URL only, as parseable iCalendar', async () => {
    const { app, store } = await calendarApp();
    const path = await feedPath(store, KEY, { kind: 'team', id: 'payments' });
    const response = await app.inject({ method: 'GET', url: path });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const events = new ICAL.Component(ICAL.parse(response.body)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const cover = events.find((e) => e.summary === 'Payments primary: Ben (cover CHG-1)');
    expect(cover?.startDate.toJSDate().getTime()).toBe(berlin('2026-10-24T18:00'));
    expect(cover?.description).toContain('wedding <b>');
    const wrong = path.replace(/\/[^/]{32}\.ics$/, `/${'A'.repeat(32)}.ics`);
    for (const url of [wrong, '/calendar/team/nope/x.ics', path.replace('/team/payments/', '/team/sre/'), path.replace('/team/', '/room/')]) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
    await app.close();
  });

  it('a person feed holds their shifts; revoking makes every old URL fail', async () => {
    const { app, store } = await calendarApp();
    const subject = { kind: 'person', id: 'ben' } as const;
    const old = await feedPath(store, KEY, subject);
    const body = (await app.inject({ method: 'GET', url: old })).body;
    expect(body).toContain('SUMMARY:Payments primary: Ben (cover CHG-1)');
    const fresh = await revokeFeed(store, KEY, subject);
    expect(fresh).not.toBe(old);
    expect((await app.inject({ method: 'GET', url: old })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: fresh })).statusCode).toBe(200);
    await app.close();
  });
});

describe('muster calendar and validate on Redis', () => {
  const sandbox = redisSandbox('calendar');

  it('prints, revokes and re-prints a feed URL; validate warns about a change naming a removed person', async () => {
    const file = join(sandbox.dir, 'muster.yaml');
    const edited = join(sandbox.dir, 'edited.yaml');
    writeFileSync(file, SCHEDULE_YAML);
    writeFileSync(edited, SCHEDULE_YAML.replace('  ben: { name: Ben }\n', '').replace('[ann, ben, cat]', '[ann, cat]'));
    const env = { ...sandbox.env, MUSTER_CALENDAR_KEY: KEY, MUSTER_HTTP_PORT: '8099' };
    const store = new RedisShiftChangeStore(sandbox.redis, { prefix: sandbox.prefix });
    const now = Date.now();
    await coverShift({ config: scheduleConfig(), store, now: () => now, t }, {
      actor: 'mona', team: 'payments', position: 'primary', person: 'ben', interval: { start: now + 3_600_000, end: now + 7_200_000 },
    });
    // Each CLI run boots the whole program, so independent runs go side by side.
    const [first, validated, unknown, published] = await Promise.all([
      muster(['calendar', 'url', 'team', 'payments', '-c', file], env),
      muster(['validate', edited], env),
      muster(['calendar', 'url', 'team', 'billing', '-c', file], env),
      muster(['calendar', 'url', 'person', 'ann', '-c', file], { ...env, MUSTER_PUBLIC_URL: 'https://muster.example.test/' }),
    ]);
    // Behind MUSTER_PUBLIC_URL the URL is the public one, which a calendar app elsewhere can reach.
    expect(published.stdout).toMatch(/^https:\/\/muster\.example\.test\/calendar\/person\/ann\/[A-Za-z0-9_-]{32}\.ics\n$/);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^http:\/\/127\.0\.0\.1:8099\/calendar\/team\/payments\/[A-Za-z0-9_-]{32}\.ics\n$/);
    expect(first.stdout.trim().endsWith(`${await feedPath(store, KEY, { kind: 'team', id: 'payments' })}`)).toBe(true);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain('OK');
    expect(validated.stderr).toContain('muster: warning: CHG-1 gives the shift to "ben", who is no longer in people');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('there is no team "billing" in muster.yaml');
    const revoked = await muster(['calendar', 'revoke', 'team', 'payments', '-c', file], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).not.toBe(first.stdout);
    expect(revoked.stdout.trim().endsWith(`${await feedPath(store, KEY, { kind: 'team', id: 'payments' })}`)).toBe(true);
  }, 180_000);
});
