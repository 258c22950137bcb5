/**
 * Alert ingestion in production mode: RedisStore + BullMQScheduler +
 * BullMQOutbox wired as bench/declare.ts wires them, an AlertService over that
 * Muster's service, store and presenter (as test/e2e/hooks.test.ts wires it),
 * and the real hook server (startHookServer, fastify, bearer token) on
 * 127.0.0.1:0. The chat port is PageTimingChat, which notes when each first
 * page (a DM carrying the incident's Acknowledge button) is handed to it.
 *
 * Throughput: Alertmanager webhook payloads of `perPost` alerts spread over
 * `fingerprints` fingerprints, `inFlight` POSTs at once; alerts per second
 * accepted, from the first POST until the last 202. A 202 means every alert
 * of the POST was handled: declared, or written on its incident's timeline.
 *
 * Latency: one alert per POST on a fresh fingerprint, so each POST declares a
 * P1; from just before the POST until the last of that incident's five first
 * pages reached the chat port. The incident id comes back in the 202's
 * outcomes; pages may arrive before the 202 does.
 */
import { performance } from 'node:perf_hooks';
import { startHookServer } from '../adapters/http/hooks.js';
import { BullMQOutbox } from '../adapters/bullmq/outbox.js';
import { BullMQScheduler } from '../adapters/bullmq/scheduler.js';
import { RedisStore } from '../adapters/redis/store.js';
import { AlertService } from '../src/alerts/service.js';
import { Muster } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import type { MusterConfig } from '../src/config/schema.js';
import type { IncidentStore, Outbox } from '../src/ports.js';
import { PageTimingChat } from './chat.js';
import { benchAlertConfig, FIRST_PAGED } from './config.js';
import { drainOutbox } from './declare.js';
import type { Clients } from './redis.js';
import { CountingLogger, forEachLimit, percentile } from './stats.js';
import { randomAuditKey } from '../src/audit/key.js';

const TOKEN = 'bench-hook-token-0123456789';
const PAGE_TIMEOUT_MS = 60_000;

interface Outcome {
  fingerprint: string;
  action: string;
  incident?: string;
  reason?: string;
}

export interface ThroughputRun {
  alerts: number;
  posts: number;
  fingerprints: number;
  /** First POST sent -> last 202 received, ms. */
  wallMs: number;
  alertsPerSecond: number;
  /** Per-POST round trip, ms. */
  postMs: number[];
  /** Outcomes: declared, joined, … */
  actions: Record<string, number>;
  /** Distinct incidents the run's alerts landed on. */
  incidents: number;
  /** alert.received events found on those incidents' timelines afterwards (one per distinct alert and status). */
  onTimelines: number;
  eventLoopUtilization: number;
}

export interface AlertLatency {
  /** POST sent -> last of the five first pages handed to the chat port, ms. */
  pages: number[];
  /** POST sent -> 202 received, ms. */
  accepted: number[];
}

export interface ConcurrentAlertLatency extends AlertLatency {
  batchP99: number[];
  eventLoopUtilization: number;
}

function alertmanagerBody(alerts: Array<{ fingerprint: string; title: string }>): string {
  return JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'muster',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.bench',
    alerts: alerts.map((alert) => ({
      status: 'firing',
      labels: { alertname: 'CheckoutErrors', severity: 'critical', service: 'checkout', instance: alert.fingerprint },
      annotations: { summary: alert.title, description: 'Checkout 5xx above 20% for 5 minutes' },
      startsAt: '2026-11-02T09:00:00Z',
      generatorURL: 'http://prometheus.bench/graph',
      fingerprint: alert.fingerprint,
    })),
  });
}

export class AlertBench {
  private posted = 0;

  private constructor(
    readonly muster: Muster,
    readonly store: IncidentStore,
    readonly outbox: Outbox,
    readonly chat: PageTimingChat,
    readonly logger: CountingLogger,
    readonly url: string,
    private readonly closeServer: () => Promise<void>,
  ) {}

  static async start(clients: Clients, prefix: string, config: MusterConfig = benchAlertConfig()): Promise<AlertBench> {
    const logger = new CountingLogger('alerts');
    const store = new RedisStore(clients.commands, { prefix });
    const scheduler = new BullMQScheduler({ connection: clients.queues, prefix: `${prefix}bull`, logger });
    const outbox = new BullMQOutbox({ connection: clients.queues, prefix: `${prefix}bull`, logger });
    const chat = new PageTimingChat(FIRST_PAGED.length);
    const muster = new Muster({ auditKey: randomAuditKey(), config, store, scheduler, outbox, chat, clock: systemClock, logger });
    // The watchdog stays off so its reconcile passes don't land inside the measurements.
    await muster.start({ watchdog: false });
    try {
      const alerts = new AlertService({ config, alerts: config.alerts, store, service: muster.service, present: muster.present, logger });
      const server = await startHookServer({
        host: '127.0.0.1',
        port: 0,
        token: TOKEN,
        alerts: config.alerts,
        ingest: (batch) => alerts.ingest(batch),
        logger,
      });
      return new AlertBench(muster, store, outbox, chat, logger, `http://127.0.0.1:${server.port}/hooks/alertmanager`, server.close);
    } catch (error) {
      await muster.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.closeServer();
    } finally {
      await this.muster.stop();
    }
  }

  private async post(body: string): Promise<{ outcomes: Outcome[]; at: number }> {
    this.posted += 1;
    const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body });
    const text = await res.text();
    const at = performance.now();
    if (res.status !== 202) throw new Error(`POST /hooks/alertmanager answered HTTP ${res.status}: ${text.slice(0, 300)}`);
    const json = JSON.parse(text) as { accepted: number; outcomes: Outcome[] };
    return { outcomes: json.outcomes, at };
  }

  /** `alerts` alerts over `fingerprints` fingerprints, `perPost` per POST, `inFlight` POSTs at once. */
  async throughput(tag: string, plan: { alerts: number; fingerprints: number; perPost: number; inFlight: number }): Promise<ThroughputRun> {
    const fingerprintOf = (i: number) => `${tag}-fp${String(i % plan.fingerprints).padStart(3, '0')}`;
    const bodies: Array<{ body: string; count: number }> = [];
    for (let first = 0; first < plan.alerts; first += plan.perPost) {
      const alerts = [];
      for (let i = first; i < Math.min(plan.alerts, first + plan.perPost); i += 1) {
        alerts.push({ fingerprint: fingerprintOf(i), title: `Bench alert ${fingerprintOf(i)}: checkout failing` });
      }
      bodies.push({ body: alertmanagerBody(alerts), count: alerts.length });
    }
    const actions: Record<string, number> = {};
    const incidents = new Set<string>();
    const postMs: number[] = [];
    let accepted = 0;
    let lastAt = 0;
    const elu = performance.eventLoopUtilization();
    const startedAt = performance.now();
    await forEachLimit(bodies, plan.inFlight, async ({ body, count }) => {
      const sent = performance.now();
      const { outcomes, at } = await this.post(body);
      postMs.push(at - sent);
      lastAt = Math.max(lastAt, at);
      if (outcomes.length !== count) throw new Error(`a POST of ${count} alerts came back with ${outcomes.length} outcomes`);
      accepted += outcomes.length;
      for (const outcome of outcomes) {
        actions[outcome.action] = (actions[outcome.action] ?? 0) + 1;
        if (outcome.incident) incidents.add(outcome.incident);
      }
    });
    const wallMs = lastAt - startedAt;
    const used = performance.eventLoopUtilization(elu);
    await drainOutbox(this.outbox);
    let onTimelines = 0;
    for (const id of incidents) {
      onTimelines += (await this.store.timeline(id)).filter((event) => event.type === 'alert.received' && String(event.data.fingerprint).startsWith(`${tag}-`)).length;
      this.chat.forget(id);
    }
    return {
      alerts: accepted,
      posts: bodies.length,
      fingerprints: plan.fingerprints,
      wallMs,
      alertsPerSecond: (accepted / wallMs) * 1000,
      postMs,
      actions,
      incidents: incidents.size,
      onTimelines,
      eventLoopUtilization: used.utilization,
    };
  }

  /** One alert on a fresh fingerprint: POST -> 202 and POST -> last first page. */
  private async alertOnce(tag: string, samples: AlertLatency): Promise<void> {
    const fingerprint = `${tag}-${String(this.posted).padStart(6, '0')}`;
    const body = alertmanagerBody([{ fingerprint, title: `Bench alert ${fingerprint}: checkout failing` }]);
    const startedAt = performance.now();
    const { outcomes, at } = await this.post(body);
    const outcome = outcomes[0];
    if (!outcome || outcome.action !== 'declared' || !outcome.incident) throw new Error(`alert ${fingerprint} did not declare: ${JSON.stringify(outcome)}`);
    const lastPageAt = await this.chat.allPaged(outcome.incident, PAGE_TIMEOUT_MS);
    this.chat.forget(outcome.incident);
    samples.accepted.push(at - startedAt);
    samples.pages.push(lastPageAt - startedAt);
  }

  async warmUp(runs: number): Promise<void> {
    const ignored: AlertLatency = { pages: [], accepted: [] };
    for (let i = 0; i < runs; i += 1) await this.alertOnce('warm', ignored);
    await drainOutbox(this.outbox);
  }

  /** One alert POST at a time, each after the previous one's outbox drained. */
  async sequential(runs: number): Promise<AlertLatency> {
    const samples: AlertLatency = { pages: [], accepted: [] };
    for (let i = 0; i < runs; i += 1) {
      await this.alertOnce('seq', samples);
      await drainOutbox(this.outbox);
    }
    return samples;
  }

  /** `batches` rounds of `concurrency` one-alert POSTs started together. */
  async concurrent(concurrency: number, batches: number): Promise<ConcurrentAlertLatency> {
    const samples: ConcurrentAlertLatency = { pages: [], accepted: [], batchP99: [], eventLoopUtilization: 0 };
    let busy = 0;
    let total = 0;
    for (let batch = 0; batch < batches; batch += 1) {
      const before = samples.pages.length;
      const elu = performance.eventLoopUtilization();
      await Promise.all(Array.from({ length: concurrency }, () => this.alertOnce(`conc${batch}`, samples)));
      const used = performance.eventLoopUtilization(elu);
      busy += used.active;
      total += used.active + used.idle;
      samples.batchP99.push(percentile(samples.pages.slice(before), 99));
      await drainOutbox(this.outbox);
    }
    samples.eventLoopUtilization = total > 0 ? busy / total : 0;
    return samples;
  }
}
