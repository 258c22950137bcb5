import { createHash } from 'node:crypto';
import { z } from 'zod';
import { clipText, TEXT_LIMITS } from '../kernel/text.js';

/**
 * The two inbound alert formats, validated before anything is written.
 * Alertmanager's webhook (version 4) and a small generic one for any tool.
 */
const labels = z.record(z.string(), z.string());

export const alertmanagerPayloadSchema = z.object({
  version: z.string().optional(),
  /** Alertmanager's id of the notification group: one incident per group while it is open. */
  groupKey: z.string().max(10_000).optional(),
  /** How many alerts Alertmanager left out of this notification (its webhook's max_alerts). */
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  receiver: z.string().optional(),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels,
        annotations: labels.default({}),
        startsAt: z.string().optional(),
        endsAt: z.string().optional(),
        generatorURL: z.string().optional(),
        fingerprint: z.string().min(1).max(200).optional(),
      }),
    )
    // No upper bound here: a group too large is accepted and its excess counted
    // (src/alerts/group.ts), since Alertmanager drops a notification refused with 4xx.
    .min(1),
});

export const genericPayloadSchema = z.object({
  title: z.string().min(1).max(200),
  severity: z.string().min(1).max(40),
  service: z.string().max(100).optional(),
  dedupKey: z.string().min(1).max(200),
  status: z.enum(['firing', 'resolved']).default('firing'),
  summary: z.string().max(2000).optional(),
});

/**
 * Alerts that belong to one incident: an Alertmanager group (by groupKey), or
 * one fingerprint or dedup key when the sender names no group.
 */
export interface AlertGroup {
  /** The store key naming the group ("alert-incident:<key>" maps it to its incident). */
  key: string;
  alerts: InboundAlert[];
  /** Alerts the sender left out (truncatedAlerts). */
  truncated: number;
}

/** One alert in Muster's own terms, whatever sent it. */
export interface InboundAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  title: string;
  /** The sender's severity word ("critical", "P1"), mapped through config later. */
  severity?: string;
  service?: string;
  summary?: string;
  source: 'alertmanager' | 'generic';
  labels: Record<string, string>;
}

export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;
export type GenericPayload = z.infer<typeof genericPayloadSchema>;

/** Alertmanager may omit a fingerprint; the sorted labels identify the alert then. */
function fingerprintOf(alert: AlertmanagerPayload['alerts'][number]): string {
  if (alert.fingerprint) return alert.fingerprint;
  return Object.entries(alert.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/**
 * A group's key is a digest of its groupKey (which can run to kilobytes of
 * labels); a payload without one (an older or hand-made sender) groups by
 * fingerprint, as before groups were known.
 */
export function fromAlertmanager(
  payload: AlertmanagerPayload,
  names: { severityLabel: string; serviceLabel: string; titleAnnotation: string },
): AlertGroup[] {
  const alerts = alertmanagerAlerts(payload, names);
  const truncated = payload.truncatedAlerts ?? 0;
  if (payload.groupKey) {
    return [{ key: `am-group:${createHash('sha256').update(payload.groupKey).digest('hex').slice(0, 32)}`, alerts, truncated }];
  }
  return byFingerprint(alerts).map((group, index) => ({ ...group, truncated: index === 0 ? truncated : 0 }));
}

export function byFingerprint(alerts: InboundAlert[]): AlertGroup[] {
  const groups = new Map<string, InboundAlert[]>();
  for (const alert of alerts) groups.set(alert.fingerprint, [...(groups.get(alert.fingerprint) ?? []), alert]);
  return [...groups].map(([key, members]) => ({ key, alerts: members, truncated: 0 }));
}

function alertmanagerAlerts(
  payload: AlertmanagerPayload,
  names: { severityLabel: string; serviceLabel: string; titleAnnotation: string },
): InboundAlert[] {
  return payload.alerts.map((alert) => {
    const severity = alert.labels[names.severityLabel];
    const service = alert.labels[names.serviceLabel];
    const summary = alert.annotations.description;
    return {
      fingerprint: fingerprintOf(alert),
      status: alert.status,
      title: clipText(alert.annotations[names.titleAnnotation] ?? alert.labels.alertname ?? 'Alert', TEXT_LIMITS.title),
      ...(severity ? { severity } : {}),
      ...(service ? { service } : {}),
      ...(summary ? { summary: clipText(summary, TEXT_LIMITS.summary) } : {}),
      source: 'alertmanager' as const,
      labels: alert.labels,
    };
  });
}

export function fromGeneric(payload: GenericPayload): AlertGroup[] {
  return byFingerprint([
    {
      fingerprint: payload.dedupKey,
      status: payload.status,
      title: payload.title,
      severity: payload.severity,
      ...(payload.service ? { service: payload.service } : {}),
      ...(payload.summary ? { summary: payload.summary } : {}),
      source: 'generic',
      labels: {},
    },
  ]);
}
