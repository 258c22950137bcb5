/**
 * The operations routes (issue 8) on the whole bot (memory adapters, manual
 * clock): /metrics parses as Prometheus text and its pages counter moves when
 * pages go out; drills are labelled apart; /readyz follows the store, the
 * workers and the watchdog; every response carries the security headers.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MusterMetrics } from '../../adapters/http/metrics.js';
import { buildOpsApp, SECURITY_HEADERS } from '../../adapters/http/ops.js';
import type { TimelineEvent } from '../../src/incidents/types.js';
import { silentLogger } from '../../src/logger.js';
import { readiness } from '../../src/health.js';
import { harness } from '../support/fixture.js';

const METRIC_NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\["\\\\n])*"';
/** Go's ParseFloat, which Prometheus uses, takes NaN and Inf in any case (prom-client writes "Nan"). */
const VALUE = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[Nn][Aa][Nn]|[+-][Ii][Nn][Ff])';
const SAMPLE = new RegExp(`^(${METRIC_NAME})(?:\\{(?:${LABEL}(?:,${LABEL})*,?)?\\})? ${VALUE}(?: -?\\d+)?$`);
const HELP = new RegExp(`^# HELP (${METRIC_NAME}) .*$`);
const TYPE = new RegExp(`^# TYPE (${METRIC_NAME}) (counter|gauge|histogram|summary|untyped)$`);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text format (0.0.4): any other line fails the test. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = TYPE.exec(line);
    if (type) {
      expect(typed.has(type[1]!), `TYPE twice for ${type[1]}`).toBe(false);
      typed.set(type[1]!, type[2]!);
      continue;
    }
    if (HELP.test(line)) continue;
    expect(line, 'a Prometheus sample line').toMatch(SAMPLE);
    const [, name = ''] = SAMPLE.exec(line) ?? [];
    const labels: Record<string, string> = {};
    for (const match of line.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
    const value = line.slice(line.lastIndexOf(' ') + 1);
    const family = name.replace(/_(bucket|sum|count)$/, '');
    expect(typed.has(name) || typed.has(family), `sample ${name} has a TYPE`).toBe(true);
    samples.push({ name, labels, value: /nan/i.test(value) ? NaN : Number(value.replace(/inf/i, 'Infinity')) });
  }
  return samples;
}

function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

const apps: FastifyInstance[] = [];
const stops: Array<() => void> = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const stop of stops.splice(0)) stop();
});

async function opsBot(options: { storeDown?: () => boolean } = {}) {
  const h = await harness();
  const metrics = new MusterMetrics({
    store: h.store, outbox: h.outbox, watchdog: h.muster.watchdog, logger: silentLogger,
    onEvent: (l) => h.muster.onEvent(l), onDeliveryFailure: (l) => h.muster.onDeliveryFailure(l),
  });
  stops.push(() => metrics.close());
  const store = {
    ping: async () => {
      if (options.storeDown?.()) throw new Error('connect ECONNREFUSED redis://:hunter2@10.0.0.1:6379');
      await h.store.ping();
    },
  };
  const app = await buildOpsApp({
    metrics,
    ready: () => readiness({ store, clock: h.clock, workersStartedAt: () => h.muster.workersStartedAt, watchdog: h.muster.watchdog }),
    logger: silentLogger,
  });
  apps.push(app);
  const scrape = async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheus(response.body);
  };
  return { h, app, metrics, scrape };
}

describe('GET /metrics', () => {
  it('counts outbox retries when the chat fails a delivery', async () => {
    const { h, scrape } = await opsBot();
    const send = h.chat.send.bind(h.chat);
    let failures = 2;
    h.chat.send = async (to, message) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('chat is down for a moment');
      }
      return send(to, message);
    };
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    await h.outbox.idle();
    expect(total(await scrape(), 'muster_outbox_retries_total')).toBe(2);
    expect(h.chat.pagesTo('cara')).toHaveLength(1);
  });

  it('parses as Prometheus text and counts pages as they are sent', async () => {
    const { h, scrape } = await opsBot();
    const before = await scrape();
    expect(total(before, 'muster_pages_sent_total')).toBe(0);

    await h.say('alice', '/incident declare Checkout is failing sev=P1 service=checkout');
    const declared = await scrape();
    expect(total(declared, 'muster_pages_sent_total', { drill: 'false' })).toBe(5);
    expect(total(declared, 'muster_pages_sent_total', { role: 'commander', drill: 'false' })).toBe(1);
    expect(total(declared, 'muster_incidents_declared_total', { severity: 'P1', drill: 'false' })).toBe(1);
    expect(total(declared, 'muster_incidents', { severity: 'P1', status: 'assembling', drill: 'false' })).toBe(1);
    // the first page is not an escalation step; the next ones are
    expect(total(declared, 'muster_escalation_steps_total')).toBe(0);

    // nobody acks for 5 minutes: the backups are paged, and the counter moves again
    await h.advance(5 * 60_000);
    const escalated = await scrape();
    expect(total(escalated, 'muster_pages_sent_total', { drill: 'false' })).toBe(10);
    expect(total(escalated, 'muster_escalation_steps_total', { drill: 'false' })).toBe(5);

    for (const person of ['cole', 'pam', 'sid', 'pat', 'cat']) await h.say(person, '/incident ack INC-1');
    const assembled = await scrape();
    expect(total(assembled, 'muster_acks_total', { drill: 'false' })).toBe(5);
    expect(total(assembled, 'muster_time_to_ack_seconds_count', { role: 'ops', drill: 'false' })).toBe(1);
    expect(total(assembled, 'muster_time_to_ack_seconds_sum', { role: 'ops', drill: 'false' })).toBe(300);
    expect(total(assembled, 'muster_time_to_assemble_seconds_count', { severity: 'P1', drill: 'false' })).toBe(1);
    expect(total(assembled, 'muster_time_to_assemble_seconds_bucket', { severity: 'P1', drill: 'false', le: '300' })).toBe(1);
    expect(total(assembled, 'muster_time_to_assemble_seconds_bucket', { severity: 'P1', drill: 'false', le: '120' })).toBe(0);
    expect(total(assembled, 'muster_incidents', { status: 'assembled' })).toBe(1);
    expect(total(assembled, 'muster_outbox_depth')).toBe(0);
    expect(assembled.some((sample) => sample.name === 'muster_process_resident_memory_bytes' || sample.name.startsWith('muster_nodejs_'))).toBe(true);
  });

  it('counts a breach of the assembly deadline', async () => {
    const { h, scrape } = await opsBot();
    await h.say('alice', '/incident declare Checkout is failing sev=P1 service=checkout');
    await h.advance(16 * 60_000);
    expect(total(await scrape(), 'muster_sla_breaches_total', { kind: 'assembly', severity: 'P1', drill: 'false' })).toBe(1);
  });

  it('keeps drills apart with drill="true", also for incidents it learns of from the store', async () => {
    const listeners: Array<(event: TimelineEvent) => void> = [];
    const h = await harness();
    const metrics = new MusterMetrics({ store: h.store, outbox: h.outbox, logger: silentLogger, processMetrics: false, onEvent: (l) => (listeners.push(l), () => {}) });
    const emit = (event: Partial<TimelineEvent>) => listeners.forEach((l) => l({ seq: 1, at: 0, actor: 'muster', data: {}, prevHash: '', hash: '', incident: 'INC-9', type: 'page.sent', ...event }));
    emit({ type: 'drill.started', data: { scenario: 'checkout-down' } });
    emit({ type: 'incident.declared', data: { severity: 'P1' } });
    emit({ type: 'page.sent', role: 'tech' });
    emit({ type: 'slot.acked', role: 'tech', data: { elapsedMs: 42_000 } });
    emit({ type: 'drill.scored', data: { breached: false, assembledMs: 60_000 } });
    // an incident the process never saw declared (a restart): looked up in the store
    await h.say('alice', '/incident declare Real one sev=P3 service=checkout');
    emit({ incident: 'INC-1', type: 'page.sent', role: 'tech' });
    // The unseen incident is looked up in the store asynchronously: wait for its page to be counted.
    await vi.waitFor(async () => expect(total(parsePrometheus(await metrics.render()), 'muster_pages_sent_total', { drill: 'false' })).toBe(1), { timeout: 30_000 });
    const samples = parsePrometheus(await metrics.render());
    expect(total(samples, 'muster_pages_sent_total', { drill: 'true' })).toBe(1);
    expect(total(samples, 'muster_pages_sent_total', { drill: 'false' })).toBe(1);
    expect(total(samples, 'muster_time_to_ack_seconds_count', { drill: 'false' })).toBe(0);
    expect(total(samples, 'muster_time_to_ack_seconds_count', { drill: 'true' })).toBe(1);
    expect(total(samples, 'muster_drill_outcomes_total', { outcome: 'assembled' })).toBe(1);
    expect(total(samples, 'muster_drill_outcomes_total', { outcome: 'started' })).toBe(1);
    metrics.close();
  });
});

describe('GET /healthz and /readyz', () => {
  it('is ready with the store up, workers started and a fresh watchdog beat; 503 when the store ping fails', async () => {
    let down = false;
    const { h, app } = await opsBot({ storeDown: () => down });
    h.muster.watchdog.start();
    stops.push(() => h.muster.watchdog.stop());

    const healthy = await app.inject({ method: 'GET', url: '/healthz' });
    expect(healthy.statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { store: { ok: true }, workers: { ok: true }, watchdog: { ok: true } } });

    down = true;
    const notReady = await app.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ status: 'not ready', checks: { store: { ok: false, detail: 'store unreachable' }, workers: { ok: true } } });
    expect(notReady.body).not.toContain('hunter2');
    expect(notReady.body).not.toContain('redis://');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    down = false;
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('is not ready when the watchdog missed two beats, or never started', async () => {
    const { h, app } = await opsBot();
    const idle = await app.inject({ method: 'GET', url: '/readyz' });
    expect(idle.statusCode).toBe(503);
    expect(idle.json()).toMatchObject({ checks: { watchdog: { ok: false, detail: 'watchdog not running' } } });

    h.muster.watchdog.start();
    stops.push(() => h.muster.watchdog.stop());
    await h.muster.watchdog.beat();
    h.clock.advance(29_000);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    h.clock.advance(2_000);
    const stale = await app.inject({ method: 'GET', url: '/readyz' });
    expect(stale.statusCode).toBe(503);
    expect(stale.json()).toMatchObject({ checks: { store: { ok: true }, watchdog: { ok: false } } });
  });

  it('sends the security headers on every response, 404s included', async () => {
    const { app } = await opsBot();
    for (const url of ['/healthz', '/readyz', '/metrics', '/nope']) {
      const response = await app.inject({ method: 'GET', url });
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers[name], `${name} on ${url}`).toBe(value);
    }
  });
});

describe('the composed HTTP server (src/main.ts buildRuntime)', () => {
  it('serves hooks (still authenticated) and the operations routes on one port, with the security headers', async () => {
    const { buildRuntime } = await import('../../src/main.js');
    const { loadEnv } = await import('../../src/config/env.js');
    const { FakeChat, testConfig } = await import('../support/fixture.js');
    const token = 'a-hook-token-of-sufficient-length';
    const env = loadEnv({ MUSTER_HTTP_PORT: '0', MUSTER_HOOK_TOKEN: token });
    const runtime = await buildRuntime({ config: testConfig(), env, chat: new FakeChat(), logger: silentLogger });
    try {
      await runtime.muster.start();
      const base = `http://127.0.0.1:${runtime.httpPort}`;
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      parsePrometheus(text);
      expect(text).not.toContain(token);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status, await ready.clone().text()).toBe(200);
      const refused = await fetch(`${base}/hooks/generic`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(refused.status).toBe(401);
      for (const response of [metrics, ready, refused]) {
        expect(response.headers.get('x-frame-options')).toBe('DENY');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }
    } finally {
      await runtime.close();
    }
  });

  it('runs no HTTP server when neither MUSTER_HTTP_PORT nor a hook token is set', async () => {
    const { buildRuntime } = await import('../../src/main.js');
    const { loadEnv } = await import('../../src/config/env.js');
    const { FakeChat, testConfig } = await import('../support/fixture.js');
    const runtime = await buildRuntime({ config: testConfig(), env: loadEnv({}), chat: new FakeChat(), logger: silentLogger });
    expect(runtime.httpPort).toBeUndefined();
    await runtime.close();
  });
});
