import type { AlertTally } from '../incidents/types.js';
import type { Effects } from '../kernel/effects.js';
import { clipText, TEXT_LIMITS } from '../kernel/text.js';
import type { MusterContext } from '../kernel/context.js';
import type { AlertGroup, InboundAlert } from './payloads.js';

/**
 * Distinct alerts recorded one by one on an incident; past it they are only
 * counted (AlertTally.excess), so a storm of thousands of alerts costs one
 * counter, not thousands of timeline entries and a huge state value.
 */
export const MAX_ALERTS_PER_INCIDENT = 1_000;

/** Each alert's last known status, by fingerprint: the store value `alertsSeenKey(incident)`. */
export type SeenAlerts = Record<string, InboundAlert['status']>;

export const alertsSeenKey = (incident: string): string => `alert-seen:${incident}`;
export const alertIncidentKey = (group: string): string => `alert-incident:${group}`;

export function parseSeen(raw: string | undefined): SeenAlerts {
  if (!raw) return {};
  const parsed = JSON.parse(raw) as unknown;
  return parsed && typeof parsed === 'object' ? (parsed as SeenAlerts) : {};
}

export interface RecordedAlerts {
  /** Alerts recorded as new or changed, in the order they came. */
  changed: InboundAlert[];
  /** Alerts of this notification past the per-incident limit. */
  excess: InboundAlert[];
}

/**
 * Records one notification of a group on its incident, in the commit the
 * caller makes: an event for each alert that is new or changed status, the
 * tally (count, last seen, left out) on the record, the seen statuses in the
 * same write. A re-sent alert with the same status only moves the counters.
 * `seen` is not modified (a conflicting commit runs this again).
 */
export function recordAlerts(ctx: MusterContext, fx: Effects, group: AlertGroup, seen: SeenAlerts): RecordedAlerts {
  const next: SeenAlerts = { ...seen };
  const recorded: RecordedAlerts = { changed: [], excess: [] };
  let tracked = Object.keys(next).length;
  for (const alert of group.alerts) {
    const before = next[alert.fingerprint];
    if (before === undefined && tracked >= MAX_ALERTS_PER_INCIDENT) {
      recorded.excess.push(alert);
      continue;
    }
    if (before === undefined) tracked += 1;
    if (before === alert.status) continue;
    next[alert.fingerprint] = alert.status;
    recorded.changed.push(alert);
    fx.event('alert.received', {
      data: { fingerprint: alert.fingerprint, status: alert.status, title: alert.title, severity: alert.severity ?? null, source: alert.source, labels: alert.labels },
    });
  }
  if (recorded.changed.length > 0) fx.setValue(alertsSeenKey(fx.incident.id), JSON.stringify(next));
  updateTally(fx, group, next, recorded.excess.length);
  noteResolved(ctx, fx, recorded.changed);
  return recorded;
}

function updateTally(fx: Effects, group: AlertGroup, seen: SeenAlerts, excess: number): void {
  const before = fx.incident.alerts;
  const statuses = Object.values(seen);
  const tally: AlertTally = {
    key: group.key,
    notifications: (before?.notifications ?? 0) + 1,
    firing: statuses.filter((status) => status === 'firing').length,
    resolved: statuses.filter((status) => status === 'resolved').length,
    lastSeenAt: fx.now,
    truncated: group.truncated,
    excess: Math.max(before?.excess ?? 0, excess),
  };
  fx.incident.alerts = tally;
  // Alertmanager re-sends a group at most every group_interval (minutes): one board edit each is cheap.
  fx.refreshBoard();
  // Only a change in what was left out goes on the timeline, never each re-send.
  if (tally.truncated !== (before?.truncated ?? 0) || tally.excess !== (before?.excess ?? 0)) {
    fx.event('alert.truncated', { data: { truncated: tally.truncated, excess: tally.excess, limit: MAX_ALERTS_PER_INCIDENT } });
  }
}

/** Alerts that just turned resolved are noted in the war room, once. */
function noteResolved(ctx: MusterContext, fx: Effects, changed: InboundAlert[]): void {
  const resolved = changed.filter((alert) => alert.status === 'resolved');
  if (resolved.length === 0) return;
  fx.toRoom(`alert-resolved-${fx.incident.version}`, ctx.present.notice(ctx.present.t('room.alertResolved', {
    id: fx.incident.id, titles: clipText([...new Set(resolved.map((alert) => alert.title))].join('; '), TEXT_LIMITS.reason),
  }), 'success'));
}

/** The most severe firing alert of the group that maps to a severity: it declares the group's incident. */
export function triggerOf(alerts: InboundAlert[], severityOf: (alert: InboundAlert) => string | undefined): InboundAlert | undefined {
  let best: { alert: InboundAlert; severity: string } | undefined;
  for (const alert of alerts) {
    const severity = alert.status === 'firing' ? severityOf(alert) : undefined;
    if (severity && (!best || severity < best.severity)) best = { alert, severity };
  }
  return best?.alert;
}
