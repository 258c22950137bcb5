/**
 * Alertmanager notifications exactly as Alertmanager sends them (webhook
 * version 4: groupKey, truncatedAlerts, receiver, group and common labels,
 * a zero endsAt while firing, 16-hex fingerprints, the encoder's trailing
 * newline), through the real hook server into the real AlertService.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startHookServer } from '../../adapters/http/hooks.js';
import { MAX_ALERTS_PER_INCIDENT } from '../../src/alerts/group.js';
import { AlertService } from '../../src/alerts/service.js';
import { alertsConfigSchema } from '../../src/config/alerts.js';
import { silentLogger } from '../../src/logger.js';
import { StoreUnavailableError } from '../../src/ports.js';
import { harness } from '../support/fixture.js';

const TOKEN = 'hook-token';
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function hooks() {
  const h = await harness();
  const alerts = alertsConfigSchema.parse({ defaultService: 'checkout' });
  const service = new AlertService({ config: h.config, alerts, store: h.store, service: h.muster.service, present: h.muster.present, logger: silentLogger });
  const opened: string[] = [];
  const openRoom = h.chat.openRoom.bind(h.chat);
  h.chat.openRoom = async (request) => {
    opened.push(request.name);
    return openRoom(request);
  };
  const server = await startHookServer({ host: '127.0.0.1', port: 0, token: TOKEN, alerts, logger: silentLogger, ingest: (groups) => service.ingest(groups) });
  closers.push(server.close);
  const post = async (body: string) => {
    const response = await fetch(`http://127.0.0.1:${server.port}/hooks/alertmanager`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'user-agent': 'Alertmanager/0.28.1' },
    });
    return { status: response.status, json: (await response.json()) as { outcomes?: Array<{ fingerprint: string; action: string; incident?: string }>; error?: string } };
  };
  return { h, post, opened };
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

interface Sent {
  instance: string;
  status?: 'firing' | 'resolved';
}

function fingerprint(labels: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16);
}

/** One notification of the group `alertname`, as Alertmanager's webhook notifier encodes it. */
function notification(alertname: string, sent: Sent[], extra: { truncatedAlerts?: number } = {}): string {
  const groupLabels = { alertname };
  const alerts = sent.map(({ instance, status = 'firing' }) => {
    const labels = { alertname, severity: 'critical', service: 'checkout', instance };
    return {
      status,
      labels,
      annotations: { summary: `${alertname} on the checkout fleet`, description: `5xx ratio above 20% on ${instance}` },
      startsAt: '2026-12-01T03:00:00.000Z',
      endsAt: status === 'firing' ? ZERO_TIME : '2026-12-01T03:20:00.000Z',
      generatorURL: `http://prometheus:9090/graph?g0.expr=${encodeURIComponent('job:errors:ratio > 0.2')}`,
      fingerprint: fingerprint(labels),
    };
  });
  const firing = alerts.some((alert) => alert.status === 'firing');
  const body = {
    receiver: 'muster',
    status: firing ? 'firing' : 'resolved',
    alerts,
    groupLabels,
    commonLabels: { alertname, severity: 'critical', service: 'checkout' },
    commonAnnotations: { summary: `${alertname} on the checkout fleet` },
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: `{}/{severity="critical"}:{alertname="${alertname}"}`,
    truncatedAlerts: extra.truncatedAlerts ?? 0,
  };
  return `${JSON.stringify(body)}\n`;
}

const hosts = (n: number, status?: 'firing' | 'resolved'): Sent[] => Array.from({ length: n }, (_, i) => ({ instance: `web-${i + 1}:9100`, ...(status ? { status } : {}) }));

describe('Alertmanager groups', () => {
  it('a firing group of 3 makes 1 incident and 1 war room; re-sent it only counts; partly and then all resolved are recorded once each', async () => {
    const { h, post, opened } = await hooks();
    const first = await post(notification('CheckoutErrors', hosts(3)));
    expect(first.status).toBe(202);
    expect(first.json.outcomes?.map((o) => o.action)).toEqual(['declared', 'joined', 'joined']);
    await h.outbox.idle();
    expect(await h.store.listRecent(10)).toHaveLength(1);
    expect(opened).toEqual(['inc-1-checkouterrors-on-the-checkout-fleet']);
    const received = async () => (await h.store.timeline('INC-1')).filter((e) => e.type === 'alert.received').map((e) => `${String(e.data.labels && (e.data.labels as Record<string, string>).instance)} ${String(e.data.status)}`);
    expect(await received()).toEqual(['web-1:9100 firing', 'web-2:9100 firing', 'web-3:9100 firing']);

    h.clock.advance(4 * 3_600_000); // Alertmanager's repeat_interval
    const again = await post(notification('CheckoutErrors', hosts(3)));
    expect(again.json.outcomes?.map((o) => o.action)).toEqual(['joined', 'joined', 'joined']);
    expect(await received()).toHaveLength(3);
    expect((await h.store.get('INC-1'))?.alerts).toMatchObject({ notifications: 2, firing: 3, resolved: 0, lastSeenAt: h.clock.now() });

    await post(notification('CheckoutErrors', [{ instance: 'web-1:9100', status: 'resolved' }, { instance: 'web-2:9100' }, { instance: 'web-3:9100' }]));
    await post(notification('CheckoutErrors', hosts(3, 'resolved')));
    await h.outbox.idle();
    expect(await received()).toEqual([
      'web-1:9100 firing', 'web-2:9100 firing', 'web-3:9100 firing', 'web-1:9100 resolved', 'web-2:9100 resolved', 'web-3:9100 resolved',
    ]);
    expect((await h.store.get('INC-1'))?.alerts).toMatchObject({ notifications: 4, firing: 0, resolved: 3 });
    const board = h.chat.delivered.filter((d) => d.message.pin).at(-1)?.message;
    expect(board?.fields?.find((f) => f.label === 'Alerts')?.value).toMatch(/^0 firing · 3 resolved · last seen \d\d:\d\d/);
    const notes = h.chat.delivered.filter((d) => d.message.text.startsWith('INC-1: monitoring reports resolved'));
    expect(notes).toHaveLength(2);
    expect(await h.store.listRecent(10)).toHaveLength(1);
  });

  it(`a group of 5,000 alerts is accepted: ${MAX_ALERTS_PER_INCIDENT} recorded, the excess and truncatedAlerts counted and on the timeline once`, async () => {
    const { h, post } = await hooks();
    const body = notification('NodeDown', hosts(5_000), { truncatedAlerts: 250 });
    expect(Buffer.byteLength(body)).toBeGreaterThan(1_048_576);
    const result = await post(body);
    expect(result.status).toBe(202);
    const actions = result.json.outcomes?.map((o) => o.action) ?? [];
    expect(actions.filter((a) => a === 'counted')).toHaveLength(5_000 - MAX_ALERTS_PER_INCIDENT);
    expect(await h.store.listRecent(10)).toHaveLength(1);
    const timeline = await h.store.timeline('INC-1');
    expect(timeline.filter((e) => e.type === 'alert.received')).toHaveLength(MAX_ALERTS_PER_INCIDENT);
    expect(timeline.filter((e) => e.type === 'alert.truncated').map((e) => e.data)).toEqual([{ truncated: 250, excess: 4_000, limit: MAX_ALERTS_PER_INCIDENT }]);
    expect((await h.store.get('INC-1'))?.alerts).toMatchObject({ firing: MAX_ALERTS_PER_INCIDENT, truncated: 250, excess: 4_000 });
    await h.outbox.idle();
    const board = h.chat.delivered.filter((d) => d.message.pin).at(-1)?.message;
    expect(board?.fields?.find((f) => f.label === 'Alerts')?.value).toMatch(/^1000 firing · 0 resolved · last seen .* · 4250 not listed$/);
    // The same storm re-sent adds nothing to the timeline.
    await post(body);
    expect(await h.store.timeline('INC-1')).toHaveLength(timeline.length);
  });

  it('two groups at once make two incidents, each with its own alerts', async () => {
    const { h, post, opened } = await hooks();
    const results = await Promise.all([post(notification('CheckoutErrors', hosts(3))), post(notification('PaymentsLatency', hosts(2)))]);
    expect(results.map((r) => r.status)).toEqual([202, 202]);
    const incidents = await h.store.listRecent(10);
    expect(incidents).toHaveLength(2);
    const counts = await Promise.all(incidents.map(async (i) => (await h.store.timeline(i.id)).filter((e) => e.type === 'alert.received').length));
    expect(counts.sort()).toEqual([2, 3]);
    await h.outbox.idle();
    expect(opened).toHaveLength(2);
  });

  it('a store outage while receiving gets 503 and writes nothing; the re-sent group declares once', async () => {
    const { h, post } = await hooks();
    const commit = h.store.commit.bind(h.store);
    h.store.commit = async () => {
      h.store.commit = commit;
      throw new StoreUnavailableError('connection lost');
    };
    const refused = await post(notification('CheckoutErrors', hosts(3)));
    expect(refused.status).toBe(503);
    expect(await h.store.listRecent(10)).toEqual([]);
    const resent = await post(notification('CheckoutErrors', hosts(3)));
    expect(resent.json.outcomes?.[0]).toMatchObject({ action: 'declared' });
    expect(await h.store.listRecent(10)).toHaveLength(1);
  });

  it('dying right after the declare commit (the reply lost): the re-sent group joins that incident, no second P1', async () => {
    const { h, post } = await hooks();
    const commit = h.store.commit.bind(h.store);
    const get = h.store.get.bind(h.store);
    h.store.commit = async (change) => {
      h.store.commit = commit;
      await commit(change);
      // The process loses Redis with the commit's reply in flight: not even a read gets through.
      h.store.get = async () => {
        h.store.get = get;
        throw new StoreUnavailableError('connection lost');
      };
      throw new StoreUnavailableError('connection lost');
    };
    const lost = await post(notification('CheckoutErrors', hosts(3)));
    expect(lost.status).toBe(503);
    expect(await h.store.listRecent(10)).toHaveLength(1);
    const resent = await post(notification('CheckoutErrors', hosts(3)));
    expect(resent.status).toBe(202);
    expect(resent.json.outcomes?.map((o) => [o.action, o.incident])).toEqual([['joined', 'INC-1'], ['joined', 'INC-1'], ['joined', 'INC-1']]);
    expect(await h.store.listRecent(10)).toHaveLength(1);
    expect((await h.store.timeline('INC-1')).filter((e) => e.type === 'alert.received')).toHaveLength(3);
  });
});
