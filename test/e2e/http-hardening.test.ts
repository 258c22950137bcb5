/**
 * Issue 13, inbound hardening of the ops server (the real fastify app, with
 * the real @fastify/rate-limit): dashboard logins throttled per client and
 * for everyone, with memory that stays flat under a flood; a Secure session
 * cookie unless plain HTTP on loopback was chosen; hooks rate-limited with a
 * retryable 503; hook secrets compared without a length shortcut.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { sameSecret } from '../../adapters/http/hooks.js';
import { buildOpsApp } from '../../adapters/http/ops.js';
import { HOOKS_PER_CLIENT, LOGIN_EVERYONE, LOGIN_PER_CLIENT } from '../../adapters/http/throttle.js';
import { alertsConfigSchema } from '../../src/config/alerts.js';
import { Presenter } from '../../src/notify/present.js';
import type { Readiness } from '../../src/health.js';
import { testConfig } from '../support/fixture.js';
import { recordingLogger } from '../support/redis.js';

const TOKEN = 'dashboard-token-for-the-hardening-test';
const HOOK_TOKEN = 'hook-token-for-the-hardening-test';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function opsApp(options: { secureCookie?: boolean } = {}) {
  const present = new Presenter(testConfig());
  const logger = recordingLogger();
  const app = await buildOpsApp({
    metrics: { contentType: 'text/plain', render: async () => '' },
    ready: async () => ({ ok: true, checks: { store: { ok: true }, workers: { ok: true }, watchdog: { ok: true } } }) as Readiness,
    hooks: { token: HOOK_TOKEN, alerts: alertsConfigSchema.parse({}), ingest: async () => [], logger },
    dashboard: {
      token: TOKEN, store: { listActive: async () => [], listRecent: async () => [] }, names: present, t: present.t,
      now: () => Date.now(), logger, ...(options.secureCookie === undefined ? {} : { secureCookie: options.secureCookie }),
    },
    logger,
  });
  apps.push(app);
  return { app, logger };
}

function login(app: FastifyInstance, token: string, remoteAddress = '203.0.113.7') {
  return app.inject({ method: 'POST', url: '/dashboard/login', remoteAddress, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${encodeURIComponent(token)}` });
}

/** heapUsed after a full collection, so the figure is what is still held. */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('dashboard login throttling', () => {
  it('one client: the 11th attempt in a minute gets 429 with Retry-After, the right token included', async () => {
    const { app } = await opsApp();
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_PER_CLIENT.max; i += 1) statuses.push((await login(app, `wrong-${i}`)).statusCode);
    expect(statuses).toEqual(Array(LOGIN_PER_CLIENT.max).fill(401));
    const throttled = await login(app, TOKEN);
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(throttled.body).toContain('Too many login attempts. Try again in');
    expect(throttled.headers['set-cookie']).toBeUndefined();
    // Another address is not held back by this one.
    expect((await login(app, TOKEN, '198.51.100.1')).statusCode).toBe(303);
  });

  it('10,000 wrong logins from 10,000 addresses: all but the global budget get 429, and memory stays flat', async () => {
    const { app, logger } = await opsApp();
    const flood = async (from: number, count: number) => {
      const counts = { 401: 0, 429: 0, other: 0 };
      for (let i = from; i < from + count; i += 1) {
        const status = (await login(app, `guess-${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)).statusCode;
        if (status === 401) counts[401] += 1;
        else if (status === 429) counts[429] += 1;
        else counts.other += 1;
      }
      return counts;
    };
    const started = Date.now();
    // Warm-up past the counters' LRU size (5,000 addresses), so what follows measures steady state.
    await flood(0, 6_000);
    const before = heapAfterGc();
    const counts = await flood(6_000, 10_000);
    const after = heapAfterGc();
    const windows = 1 + Math.floor((Date.now() - started) / LOGIN_EVERYONE.windowMs);
    expect(counts.other).toBe(0);
    // Every address is new, so only the global limit can refuse them: at most its budget per window gets through.
    expect(counts[401]).toBeLessThanOrEqual(LOGIN_EVERYONE.max * windows);
    expect(counts[429]).toBeGreaterThanOrEqual(10_000 - LOGIN_EVERYONE.max * windows);
    // Bounded state: 10,000 more attempts may not keep ~100+ bytes each (that alone would be 1 MB+).
    expect(after - before).toBeLessThan(1_000_000);
    // And the log is not flooded: refusals are logged, throttled attempts once a minute at most.
    const throttleLines = logger.entries.filter((line) => line.message === 'dashboard: login attempts throttled');
    expect(throttleLines.length).toBeLessThanOrEqual(windows + 1);
  }, 120_000);
});

describe('dashboard session cookie', () => {
  it('is Secure by default', async () => {
    const { app } = await opsApp();
    const response = await login(app, TOKEN);
    expect(response.statusCode).toBe(303);
    expect(response.headers['set-cookie']).toMatch(/^muster_dashboard=[\w-]+; Path=\/dashboard; HttpOnly; SameSite=Strict; Secure; Max-Age=\d+$/);
  });

  it('goes without Secure only when plain HTTP on loopback was chosen', async () => {
    const { app } = await opsApp({ secureCookie: false });
    const response = await login(app, TOKEN);
    expect(response.headers['set-cookie']).not.toMatch(/Secure/);
    expect(response.headers['set-cookie']).toMatch(/HttpOnly; SameSite=Strict; Max-Age=/);
  });
});

describe('hook rate limit and secret compare', () => {
  it('a flood from one address gets 503 with Retry-After (retryable), another address is still served', async () => {
    const { app } = await opsApp();
    const post = (remoteAddress: string) =>
      app.inject({ method: 'POST', url: '/hooks/generic', remoteAddress, headers: { authorization: 'Bearer wrong-token-of-any-length', 'content-type': 'application/json' }, payload: '{}' });
    const statuses = new Set<number>();
    for (let i = 0; i < HOOKS_PER_CLIENT.max; i += 1) statuses.add((await post('192.0.2.10')).statusCode);
    expect([...statuses]).toEqual([401]);
    const limited = await post('192.0.2.10');
    expect(limited.statusCode).toBe(503);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post('192.0.2.11')).statusCode).toBe(401);
  }, 60_000);

  it('compares digests: equal secrets match, and a prefix, an extension or another length never does', () => {
    expect(sameSecret(HOOK_TOKEN, HOOK_TOKEN)).toBe(true);
    for (const given of ['', HOOK_TOKEN.slice(0, -1), `${HOOK_TOKEN}x`, HOOK_TOKEN.toUpperCase(), 'x'.repeat(10_000)]) {
      expect(sameSecret(given, HOOK_TOKEN)).toBe(false);
    }
  });
});
