import { randomUUID } from 'node:crypto';
import type { AlertsConfig } from '../config/alerts.js';
import type { MusterConfig, Severity } from '../config/schema.js';
import { checkDeclare } from '../incidents/declare-input.js';
import { isDomainError } from '../errors.js';
import type { IncidentService } from '../incidents/service.js';
import { isActive } from '../incidents/types.js';
import type { Logger } from '../logger.js';
import type { Presenter } from '../notify/present.js';
import type { IncidentStore } from '../ports.js';
import { LeaseBusyError, withLease } from '../kernel/lease.js';
import { alertIncidentKey, alertsSeenKey, parseSeen, recordAlerts, triggerOf, type RecordedAlerts } from './group.js';
import type { AlertGroup, InboundAlert } from './payloads.js';

export interface AlertOutcome {
  fingerprint: string;
  /** `counted`: past the per-incident limit, only counted on the incident (src/alerts/group.ts). */
  action: 'declared' | 'joined' | 'counted' | 'ignored' | 'rejected';
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

/** Another replica holds this alert group for too long; the sender should retry (Alertmanager does on 5xx). */
export class AlertBusyError extends Error {
  override readonly name = 'AlertBusyError';
}

const LEASE_MS = 30_000;
const WAIT_MS = 15_000;

/**
 * Turns alerts into incidents. One group (an Alertmanager groupKey, else a
 * fingerprint or dedup key) is handled by one worker at a time, in this
 * process (a promise chain) and across replicas (a store lease), so an alert
 * storm opens at most one incident per group while it is open; each alert is
 * on that incident's timeline once per status, its repeats counted.
 */
export class AlertService {
  private readonly owner = `alerts-${randomUUID()}`;
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: AlertDeps) {}

  /** Each group is handled on its own, one at a time per group across processes; the outcomes are one per alert. */
  async ingest(groups: AlertGroup[]): Promise<AlertOutcome[]> {
    const results = await Promise.all(groups.map((group) => this.serialised(group.key, () => this.handle(group))));
    return results.flat();
  }

  private async serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.leased(key, work));
    this.chains.set(key, next);
    try {
      return await next;
    } finally {
      if (this.chains.get(key) === next) this.chains.delete(key);
    }
  }

  private async leased<T>(key: string, work: () => Promise<T>): Promise<T> {
    try {
      return await withLease(this.deps.store, `alert:${key}`, this.owner, { ttlMs: LEASE_MS, waitMs: WAIT_MS }, work);
    } catch (error) {
      if (error instanceof LeaseBusyError) throw new AlertBusyError(`alert group ${key} is being handled elsewhere`);
      throw error;
    }
  }

  private async handle(group: AlertGroup): Promise<AlertOutcome[]> {
    const known = await this.deps.store.getValue(alertIncidentKey(group.key));
    const open = known ? await this.deps.store.get(known) : undefined;
    if (open && isActive(open)) return this.join(open.id, group);
    const trigger = triggerOf(group.alerts, (alert) => this.severityOf(alert));
    if (!trigger) {
      return group.alerts.map((alert) => ({ fingerprint: alert.fingerprint, action: 'ignored' as const, reason: 'no open incident, and not a firing alert at a mapped severity' }));
    }
    const declared = await this.declare(trigger, group);
    if ('reason' in declared) return group.alerts.map((alert) => ({ fingerprint: alert.fingerprint, action: 'rejected' as const, reason: declared.reason }));
    return outcomesOf(declared.id, group, declared.recorded, trigger);
  }

  severityOf(alert: InboundAlert): Severity | undefined {
    const word = alert.severity?.trim();
    if (!word) return undefined;
    const direct = word.toUpperCase();
    if (/^P[1-4]$/.test(direct) && this.deps.config.severities[direct as Severity]) return direct as Severity;
    return this.deps.alerts.severities[word.toLowerCase()];
  }

  /** Declares through the same check every declaration passes (src/incidents/declare-input.ts). */
  /**
   * The declare commit also maps the group to the incident and records the
   * group's alerts: a crash leaves either all of it or none, so a re-sent
   * group never declares a second incident.
   */
  private async declare(alert: InboundAlert, group: AlertGroup): Promise<{ id: string; recorded: RecordedAlerts } | { reason: string }> {
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
    let recorded: RecordedAlerts = { changed: [], excess: [] };
    try {
      const { incident } = await this.deps.service.declare({
        ...checked.value,
        declaredBy: `hook:${alert.source}`,
        declaredByName: source,
        origin: `hook:${alert.source}`,
        also: (fx, ctx) => {
          fx.setValue(alertIncidentKey(group.key), fx.incident.id);
          recorded = recordAlerts(ctx, fx, group, {});
        },
      });
      return { id: incident.id, recorded };
    } catch (error) {
      if (isDomainError(error)) return { reason: error.message };
      throw error;
    }
  }

  private async join(id: string, group: AlertGroup): Promise<AlertOutcome[]> {
    const seen = parseSeen(await this.deps.store.getValue(alertsSeenKey(id)));
    const result = await this.deps.service.apply(id, `hook:${group.alerts[0]?.source ?? 'alerts'}`, (fx, ctx) => recordAlerts(ctx, fx, group, seen));
    return outcomesOf(id, group, result);
  }
}

/** One outcome per alert of the notification, as the hook answers it. */
function outcomesOf(id: string, group: AlertGroup, recorded: RecordedAlerts, trigger?: InboundAlert): AlertOutcome[] {
  const excess = new Set(recorded.excess);
  return group.alerts.map((alert) => ({
    fingerprint: alert.fingerprint,
    action: alert === trigger ? ('declared' as const) : excess.has(alert) ? ('counted' as const) : ('joined' as const),
    incident: id,
  }));
}
