import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startHookServer } from '../../adapters/http/hooks.js';
import { AlertService } from '../../src/alerts/service.js';
import { alertsConfigSchema } from '../../src/config/alerts.js';
import { silentLogger } from '../../src/logger.js';
import { harness } from '../support/fixture.js';

const TOKEN = 'hook-token';
const SECRET = 'hook-secret';
let closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers) await close();
  closers = [];
});

async function hooks(bodyLimit?: number) {
  const h = await harness();
  const alerts = alertsConfigSchema.parse({ defaultService: 'checkout' });
  const service = new AlertService({ config: h.config, alerts, store: h.store, service: h.muster.service, present: h.muster.present, logger: silentLogger });
  const server = await startHookServer({
    host: '127.0.0.1', port: 0, token: TOKEN, secret: SECRET, alerts, logger: silentLogger,
    ingest: (batch) => service.ingest(batch), ...(bodyLimit ? { bodyLimit } : {}),
  });
  closers.push(server.close);
  const post = async (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...headers } });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  return { h, post };
}

function alertmanager(alerts: Array<{ fingerprint: string; status?: 'firing' | 'resolved'; severity?: string; summary?: string }>) {
  return {
    version: '4', status: 'firing', receiver: 'muster', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am',
    alerts: alerts.map((alert) => ({
      status: alert.status ?? 'firing',
      labels: { alertname: 'CheckoutErrors', severity: alert.severity ?? 'critical', service: 'checkout' },
      annotations: { summary: alert.summary ?? 'Checkout 5xx above 20%' },
      startsAt: '2026-11-02T09:00:00Z',
      fingerprint: alert.fingerprint,
    })),
  };
}

describe('POST /hooks/alertmanager', () => {
  it('declares an incident for a firing critical alert and musters the team; repeats join it; resolved is noted', async () => {
    const { h, post } = await hooks();
    const first = await post('/hooks/alertmanager', alertmanager([{ fingerprint: 'fp1' }]));
    expect(first.status).toBe(202);
    expect(first.json.outcomes).toEqual([{ fingerprint: 'fp1', action: 'declared', incident: 'INC-1' }]);
    const incident = await h.store.get('INC-1');
    expect(incident).toMatchObject({ severity: 'P1', service: 'checkout', title: 'Checkout 5xx above 20%', declaredBy: 'hook:alertmanager' });
    await h.outbox.idle();
    for (const person of ['cara', 'pete', 'sam', 'pia', 'cody']) expect(h.chat.pagesTo(person)).toHaveLength(1);
    const again = await post('/hooks/alertmanager', alertmanager([{ fingerprint: 'fp1' }]));
    expect(again.json.outcomes).toEqual([{ fingerprint: 'fp1', action: 'joined', incident: 'INC-1' }]);
    await post('/hooks/alertmanager', alertmanager([{ fingerprint: 'fp1', status: 'resolved' }]));
    await h.outbox.idle();
    const timeline = await h.store.timeline('INC-1');
    // The repeat only counts; a change of status is recorded.
    expect(timeline.filter((e) => e.type === 'alert.received').map((e) => e.data.status)).toEqual(['firing', 'resolved']);
    expect((await h.store.get('INC-1'))?.alerts).toMatchObject({ notifications: 3, firing: 0, resolved: 1 });
    expect(h.chat.delivered.some((d) => d.message.text === 'INC-1: monitoring reports resolved: Checkout 5xx above 20%.')).toBe(true);
    expect(await h.store.listRecent(10)).toHaveLength(1);
  });

  it('an alert storm: 1,000 alerts with 10 fingerprints make at most 10 incidents, each alert recorded once and every one counted', async () => {
    const { h, post } = await hooks();
    const batches = Array.from({ length: 20 }, (_, batch) =>
      alertmanager(Array.from({ length: 50 }, (_, i) => ({ fingerprint: `storm-${(batch * 50 + i) % 10}` }))),
    );
    const results = await Promise.all(batches.map((body) => post('/hooks/alertmanager', body)));
    expect(results.every((r) => r.status === 202)).toBe(true);
    const incidents = await h.store.listRecent(100);
    expect(incidents.length).toBeLessThanOrEqual(10);
    expect(incidents).toHaveLength(10);
    let received = 0;
    let notifications = 0;
    for (const incident of incidents) {
      received += (await h.store.timeline(incident.id)).filter((e) => e.type === 'alert.received').length;
      notifications += (await h.store.get(incident.id))?.alerts?.notifications ?? 0;
    }
    expect(received).toBe(10);
    // 20 requests, each with 5 copies of every fingerprint: one notification per fingerprint per request.
    expect(notifications).toBe(200);
  });

  it('ignores an unmapped severity with no open incident, and never declares from a resolved alert', async () => {
    const { h, post } = await hooks();
    const info = await post('/hooks/alertmanager', alertmanager([{ fingerprint: 'i1', severity: 'info' }, { fingerprint: 'r1', status: 'resolved' }]));
    expect((info.json.outcomes as Array<{ action: string }>).map((o) => o.action)).toEqual(['ignored', 'ignored']);
    expect(await h.store.listRecent(10)).toEqual([]);
  });
});

describe('POST /hooks/generic', () => {
  it('declares by dedup key and severity, accepting an HMAC signature instead of the token', async () => {
    const { h, post } = await hooks();
    const body = JSON.stringify({ title: 'Orders queue backing up', severity: 'P2', service: 'checkout', dedupKey: 'orders-lag' });
    const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const result = await post('/hooks/generic', body, { 'x-muster-signature': signature });
    expect(result.status).toBe(202);
    expect(await h.store.get('INC-1')).toMatchObject({ severity: 'P2', title: 'Orders queue backing up' });
  });
});

describe('bad input is refused and writes nothing', () => {
  it('401 for a wrong token or signature, 400 with the reason for bad JSON or shape, 413 for an oversized body', async () => {
    const { h, post } = await hooks(4096);
    const valid = alertmanager([{ fingerprint: 'x' }]);
    expect((await post('/hooks/alertmanager', valid, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await post('/hooks/alertmanager', valid, {})).status).toBe(401);
    expect((await post('/hooks/alertmanager', valid, { 'x-muster-signature': 'sha256=00' })).status).toBe(401);
    const malformed = await post('/hooks/alertmanager', '{"alerts": [');
    expect(malformed.status).toBe(400);
    expect(String(malformed.json.error)).toMatch(/^malformed JSON: /);
    const shape = await post('/hooks/generic', { title: 'x', severity: 'P1' });
    expect(shape.status).toBe(400);
    expect(shape.json.reasons).toEqual(['dedupKey: Invalid input: expected string, received undefined']);
    const huge = await post('/hooks/alertmanager', alertmanager(Array.from({ length: 40 }, (_, i) => ({ fingerprint: `big-${i}` }))));
    expect(huge.status).toBe(413);
    expect(await h.store.listRecent(10)).toEqual([]);
  });
});
