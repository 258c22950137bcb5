import { randomUUID } from 'node:crypto';
import type { AlertsConfig } from '../config/alerts.js';
import type { MusterConfig, Severity } from '../config/schema.js';
import { checkDeclare } from '../incidents/declare-input.js';
import { isDomainError } from '../errors.js';
import type { IncidentService } from '../incidents/service.js';
import { isActive } from '../incidents/types.js';
import type { Logger } from '../logger.js';
import type { Effects } from '../kernel/effects.js';
import type { MusterContext } from '../kernel/context.js';
import type { Presenter } from '../notify/present.js';
import type { IncidentStore } from '../ports.js';
import { LeaseBusyError, withLease } from '../kernel/lease.js';
import type { InboundAlert } from './payloads.js';

export interface AlertOutcome {
  fingerprint: string;
  action: 'declared' | 'joined' | 'ignored' | 'rejected';
  incident?: string;
  reason?: string;
}

export interface AlertDeps {
  config: MusterConfig;
  alerts: AlertsConfig;
  store: IncidentStore;
  service: IncidentService;
  present: Presenter;
  logger: Logger;
}

/** Another replica holds this fingerprint for too long; the sender should retry (Alertmanager does on 5xx). */
export class AlertBusyError extends Error {
  override readonly name = 'AlertBusyError';
}

const LEASE_MS = 30_000;
const WAIT_MS = 15_000;

/**
 * Turns alerts into incidents. One fingerprint (or dedup key) is handled by
 * one worker at a time, in this process (a promise chain) and across replicas
 * (a store lease), so an alert storm opens at most one incident per
 * fingerprint while it is open; every alert lands on that incident's timeline.
 */
export class AlertService {
  private readonly owner = `alerts-${randomUUID()}`;
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: AlertDeps) {}

  async ingest(alerts: InboundAlert[]): Promise<AlertOutcome[]> {
    const groups = new Map<string, InboundAlert[]>();
    for (const alert of alerts) groups.set(alert.fingerprint, [...(groups.get(alert.fingerprint) ?? []), alert]);
    const results = await Promise.all([...groups].map(([fingerprint, group]) => this.serialised(fingerprint, () => this.handle(fingerprint, group))));
    return results.flat();
  }

  private async serialised<T>(fingerprint: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(fingerprint) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.leased(fingerprint, work));
    this.chains.set(fingerprint, next);
    try {
      return await next;
    } finally {
      if (this.chains.get(fingerprint) === next) this.chains.delete(fingerprint);
    }
  }

  private async leased<T>(fingerprint: string, work: () => Promise<T>): Promise<T> {
    try {
      return await withLease(this.deps.store, `alert:${fingerprint}`, this.owner, { ttlMs: LEASE_MS, waitMs: WAIT_MS }, work);
    } catch (error) {
      if (error instanceof LeaseBusyError) throw new AlertBusyError(`alert ${fingerprint} is being handled elsewhere`);
      throw error;
    }
  }

  private async handle(fingerprint: string, alerts: InboundAlert[]): Promise<AlertOutcome[]> {
    const mapKey = `alert-incident:${fingerprint}`;
    const known = await this.deps.store.getValue(mapKey);
    const open = known ? await this.deps.store.get(known) : undefined;
    if (open && isActive(open)) return this.join(open.id, fingerprint, alerts, 'joined');
    const trigger = alerts.find((alert) => alert.status === 'firing' && this.severityOf(alert));
    if (!trigger) {
      return alerts.map(() => ({ fingerprint, action: 'ignored' as const, reason: 'no open incident, and not a firing alert at a mapped severity' }));
    }
    const declared = await this.declare(trigger);
    if ('reason' in declared) return alerts.map(() => ({ fingerprint, action: 'rejected' as const, reason: declared.reason }));
    await this.deps.store.setValue(mapKey, declared.id);
    const outcomes = await this.join(declared.id, fingerprint, alerts, 'joined');
    return outcomes.map((outcome, index) => (index === alerts.indexOf(trigger) ? { ...outcome, action: 'declared' as const } : outcome));
  }

  severityOf(alert: InboundAlert): Severity | undefined {
    const word = alert.severity?.trim();
    if (!word) return undefined;
    const direct = word.toUpperCase();
    if (/^P[1-4]$/.test(direct) && this.deps.config.severities[direct as Severity]) return direct as Severity;
    return this.deps.alerts.severities[word.toLowerCase()];
  }

  /** Declares through the same check every declaration passes (src/incidents/declare-input.ts). */
  private async declare(alert: InboundAlert): Promise<{ id: string } | { reason: string }> {
    const { config, present } = this.deps;
    const service = alert.service && config.services[alert.service] ? alert.service : this.deps.alerts.defaultService;
    const severity = this.severityOf(alert);
    const checked = checkDeclare(config, present.t, {
      title: alert.title,
      ...(severity ? { severity } : {}),
      ...(service ? { service } : {}),
      ...(alert.summary ? { summary: alert.summary } : {}),
    });
    if (!checked.ok) return { reason: checked.problem };
    const source = alert.source === 'alertmanager' ? 'Alertmanager' : 'monitoring';
    try {
      const { incident } = await this.deps.service.declare({
        ...checked.value,
        declaredBy: `hook:${alert.source}`,
        declaredByName: source,
        origin: `hook:${alert.source}`,
      });
      return { id: incident.id };
    } catch (error) {
      if (isDomainError(error)) return { reason: error.message };
      throw error;
    }
  }

  private async join(id: string, fingerprint: string, alerts: InboundAlert[], action: 'joined'): Promise<AlertOutcome[]> {
    await this.deps.service.apply(id, `hook:${alerts[0]?.source ?? 'alerts'}`, (fx, ctx) => recordAlerts(ctx, fx, alerts));
    return alerts.map(() => ({ fingerprint, action, incident: id }));
  }
}

/** Every alert goes on the timeline; resolved ones are also noted in the war room. */
function recordAlerts(ctx: MusterContext, fx: Effects, alerts: InboundAlert[]): void {
  for (const alert of alerts) {
    fx.event('alert.received', {
      data: { fingerprint: alert.fingerprint, status: alert.status, title: alert.title, severity: alert.severity ?? null, source: alert.source, labels: alert.labels },
    });
  }
  const resolved = alerts.filter((alert) => alert.status === 'resolved');
  if (resolved.length > 0) {
    fx.toRoom(`alert-resolved-${fx.incident.version}`, ctx.present.notice(ctx.present.t('room.alertResolved', {
      id: fx.incident.id, titles: [...new Set(resolved.map((alert) => alert.title))].join('; '),
    }), 'success'));
  }
}
