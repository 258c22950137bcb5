import { z } from 'zod';
import { clipText, TEXT_LIMITS } from '../kernel/text.js';

/**
 * The two inbound alert formats, validated before anything is written.
 * Alertmanager's webhook (version 4) and a small generic one for any tool.
 */
const labels = z.record(z.string(), z.string());

export const alertmanagerPayloadSchema = z.object({
  version: z.string().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
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
    .min(1)
    .max(1000),
});

export const genericPayloadSchema = z.object({
  title: z.string().min(1).max(200),
  severity: z.string().min(1).max(40),
  service: z.string().max(100).optional(),
  dedupKey: z.string().min(1).max(200),
  status: z.enum(['firing', 'resolved']).default('firing'),
  summary: z.string().max(2000).optional(),
});

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

export function fromAlertmanager(
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
      ...(summary ? { summary: summary.slice(0, 2000) } : {}),
      source: 'alertmanager' as const,
      labels: alert.labels,
    };
  });
}

export function fromGeneric(payload: GenericPayload): InboundAlert[] {
  return [
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
  ];
}
