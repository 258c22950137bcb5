import { z } from 'zod';
/** Kept local: schema.ts imports this file, so importing it back would be circular. */
const severitySchema = z.enum(['P1', 'P2', 'P3', 'P4']);

/**
 * How monitoring alerts become incidents (`alerts:` in muster.yaml). An
 * Alertmanager alert's severity label is mapped to a Muster severity; an
 * unmapped one is noted on an open incident's timeline but never declares.
 */
export const alertsConfigSchema = z
  .object({
    severityLabel: z.string().default('severity').describe('Alertmanager label holding the alert severity'),
    severities: z
      .record(z.string(), severitySchema)
      .default({ critical: 'P1', page: 'P1', major: 'P2', warning: 'P3' })
      .describe('Alert severity label value → Muster severity; unmapped alerts never declare'),
    serviceLabel: z.string().default('service').describe('Alertmanager label naming the affected service'),
    titleAnnotation: z.string().default('summary').describe('Annotation used as the incident title (else the alertname label)'),
    defaultService: z.string().optional().describe('Service used when an alert names none (or an unknown one)'),
  })
  .strict();

export type AlertsConfig = z.output<typeof alertsConfigSchema>;
