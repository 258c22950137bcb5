/**
 * Prometheus metrics (prom-client), moved by timeline events. Drills carry
 * `drill="true"` on every incident-level series so they never count in real
 * MTTA: filter on `drill="false"` for real incidents.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Incident, TimelineEvent } from '../../src/incidents/types.js';
import type { Logger } from '../../src/logger.js';
import type { IncidentStore, OutboundMessage, Outbox } from '../../src/ports.js';

export interface MetricsDeps {
  store: Pick<IncidentStore, 'get' | 'listActive' | 'listRecent'>;
  outbox: Pick<Outbox, 'depth'>;
  /** The watchdog's last report and beat, for timer lateness. */
  watchdog?: { lastBeatAt: number | undefined; lastReport: { overdue: Array<{ lateMs: number }> } | undefined };
  logger: Logger;
  /** Subscribe to timeline events (Muster.onEvent); returns the unsubscribe. */
  onEvent(listener: (event: TimelineEvent) => void): () => void;
  /** Subscribe to failed delivery attempts (Muster.onDeliveryFailure), for the retries counter. */
  onDeliveryFailure?(listener: (message: OutboundMessage) => void): () => void;
  /** Also export the process metrics (CPU, memory, event loop); default true. */
  processMetrics?: boolean;
}

/** Seconds: 15 s to an hour around the 15-minute assembly line. */
const DURATION_BUCKETS = [15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600];
/** How many recent incidents the incidents gauge counts on each scrape. */
const RECENT = 500;

interface Known {
  drill: boolean;
  severity: string;
}

export class MusterMetrics {
  readonly registry = new Registry();
  private readonly known = new Map<string, Known>();
  private readonly unsubscribe: () => void;

  private readonly declared = new Counter({ name: 'muster_incidents_declared_total', help: 'Incidents declared, by severity', labelNames: ['severity', 'drill'], registers: [this.registry] });
  private readonly pages = new Counter({ name: 'muster_pages_sent_total', help: 'Pages sent to responders, by role', labelNames: ['role', 'drill'], registers: [this.registry] });
  private readonly acks = new Counter({ name: 'muster_acks_total', help: 'Role slots acknowledged, by role', labelNames: ['role', 'drill'], registers: [this.registry] });
  private readonly steps = new Counter({ name: 'muster_escalation_steps_total', help: 'Escalation steps run, by role', labelNames: ['role', 'drill'], registers: [this.registry] });
  private readonly breaches = new Counter({ name: 'muster_sla_breaches_total', help: 'Breaches: assembly deadline, response SLA, update cadence', labelNames: ['kind', 'severity', 'drill'], registers: [this.registry] });
  private readonly retries = new Counter({ name: 'muster_outbox_retries_total', help: 'Failed delivery attempts the outbox retries, by message kind', labelNames: ['kind'], registers: [this.registry] });
  private readonly drills = new Counter({ name: 'muster_drill_outcomes_total', help: 'Drills started, scored (assembled in time or breached) and stopped', labelNames: ['outcome'], registers: [this.registry] });
  private readonly timeToAck = new Histogram({ name: 'muster_time_to_ack_seconds', help: 'From a role slot starting to its acknowledgement', labelNames: ['role', 'drill'], buckets: DURATION_BUCKETS, registers: [this.registry] });
  private readonly timeToAssemble = new Histogram({ name: 'muster_time_to_assemble_seconds', help: 'From declaration to every required role staffed', labelNames: ['severity', 'drill'], buckets: DURATION_BUCKETS, registers: [this.registry] });

  constructor(private readonly deps: MetricsDeps) {
    deps.onDeliveryFailure?.((message) => this.retries.inc({ kind: message.kind }));
    if (deps.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'muster_' });
    const store = deps.store;
    const outbox = deps.outbox;
    const watchdog = deps.watchdog;
    new Gauge({
      name: 'muster_incidents',
      help: `Incidents by severity and status (active ones and the ${RECENT} most recent)`,
      labelNames: ['severity', 'status', 'drill'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const byId = new Map<string, Incident>();
        for (const incident of [...(await store.listRecent(RECENT)), ...(await store.listActive())]) byId.set(incident.id, incident);
        for (const incident of byId.values()) this.inc({ severity: incident.severity, status: incident.status, drill: String(Boolean(incident.drill)) });
      },
    });
    new Gauge({
      name: 'muster_outbox_depth',
      help: 'Outbound messages waiting or being retried',
      registers: [this.registry],
      async collect() {
        this.set(await outbox.depth());
      },
    });
    new Gauge({
      name: 'muster_timer_lateness_seconds',
      help: 'The latest overdue timer at the last watchdog pass (0 when none is over a minute late)',
      registers: [this.registry],
      collect() {
        const overdue = watchdog?.lastReport?.overdue ?? [];
        this.set(overdue.reduce((max, entry) => Math.max(max, entry.lateMs), 0) / 1000);
      },
    });
    new Gauge({
      name: 'muster_watchdog_last_beat_timestamp_seconds',
      help: "The watchdog's last pass (0 before the first)",
      registers: [this.registry],
      collect() {
        this.set((watchdog?.lastBeatAt ?? 0) / 1000);
      },
    });
    this.unsubscribe = deps.onEvent((event) => this.observe(event));
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  close(): void {
    this.unsubscribe();
  }

  /** Events name their incident; whether it is a drill comes from the event or, after a restart, the record. */
  private observe(event: TimelineEvent): void {
    if (event.type === 'drill.started') this.known.set(event.incident, { drill: true, severity: this.known.get(event.incident)?.severity ?? 'unknown' });
    if (event.type === 'incident.declared') {
      const severity = typeof event.data.severity === 'string' ? event.data.severity : 'unknown';
      this.known.set(event.incident, { drill: this.known.get(event.incident)?.drill ?? false, severity });
    }
    const known = this.known.get(event.incident);
    if (known) return this.count(event, known);
    void this.deps.store
      .get(event.incident)
      .then((incident) => {
        const found = { drill: Boolean(incident?.drill), severity: incident?.severity ?? 'unknown' };
        if (!this.known.has(event.incident)) this.known.set(event.incident, found);
        this.count(event, this.known.get(event.incident) ?? found);
      })
      .catch((error: unknown) => this.deps.logger.warn({ err: error instanceof Error ? error.message : String(error), event: event.type }, 'metrics could not read the incident; event not counted'));
  }

  private count(event: TimelineEvent, known: Known): void {
    const drill = String(known.drill);
    const role = event.role ?? 'none';
    const elapsedMs = typeof event.data.elapsedMs === 'number' ? event.data.elapsedMs : undefined;
    switch (event.type) {
      case 'incident.declared':
        this.declared.inc({ severity: known.severity, drill });
        break;
      case 'incident.severity_changed':
        if (typeof event.data.to === 'string') known.severity = event.data.to;
        break;
      case 'page.sent':
        this.pages.inc({ role, drill });
        break;
      case 'slot.acked':
        this.acks.inc({ role, drill });
        if (elapsedMs !== undefined) this.timeToAck.observe({ role, drill }, elapsedMs / 1000);
        break;
      case 'escalation.step':
        this.steps.inc({ role, drill });
        break;
      case 'incident.assembled':
        if (elapsedMs !== undefined) this.timeToAssemble.observe({ severity: known.severity, drill }, elapsedMs / 1000);
        break;
      case 'assembly.breached':
        this.breaches.inc({ kind: 'assembly', severity: known.severity, drill });
        break;
      case 'sla.breached':
        this.breaches.inc({ kind: typeof event.data.sla === 'string' ? event.data.sla : 'respond', severity: known.severity, drill });
        break;
      case 'update.overdue':
        this.breaches.inc({ kind: 'update', severity: known.severity, drill });
        break;
      case 'drill.started':
        this.drills.inc({ outcome: 'started' });
        break;
      case 'drill.scored':
        this.drills.inc({ outcome: event.data.breached === true ? 'breached' : event.data.assembledMs !== undefined ? 'assembled' : 'not_assembled' });
        break;
      case 'drill.stopped':
        this.drills.inc({ outcome: 'stopped' });
        break;
      case 'incident.resolved':
        this.known.delete(event.incident);
        break;
      default:
        break;
    }
  }
}
