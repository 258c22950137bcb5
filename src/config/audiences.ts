import { z } from 'zod';

/**
 * Who hears about an incident beyond the war room (`audiences:` in
 * muster.yaml). A chat audience is a conversation ("slack:C0EXEC",
 * "discord:1234", "console:#execs"); a webhook audience (a status page) gets
 * signed JSON. Each picks the severities and events it hears about and a
 * template: technical words for engineers, business words for executives and
 * customer care. Kept apart from schema.ts, which imports it.
 */
const severity = z.enum(['P1', 'P2', 'P3', 'P4']);
export const AUDIENCE_EVENTS = ['declared', 'upgraded', 'update', 'mitigated', 'resolved'] as const;
export type AudienceEvent = (typeof AUDIENCE_EVENTS)[number];

const common = {
  severities: z.array(severity).default(['P1', 'P2']).describe('Severities this audience hears about'),
  events: z.array(z.enum(AUDIENCE_EVENTS)).default([...AUDIENCE_EVENTS]).describe('Events this audience hears about'),
  template: z.enum(['technical', 'business']).default('business'),
  /** Per-event overrides of the template text; placeholders {id} {title} {severity} {service} {text} {status}. */
  templates: z.partialRecord(z.enum(AUDIENCE_EVENTS), z.string().min(1).max(2000)).default({}),
};

const chatAudience = z
  .object({
    kind: z.literal('chat'),
    conversation: z.string().regex(/^(slack|discord|console):\S+$/, 'write a chat conversation like slack:C0123ABC, discord:123456789 or console:#execs'),
    ...common,
  })
  .strict();

const webhookAudience = z
  .object({
    kind: z.literal('webhook'),
    url: z.string().url().describe('Where the signed JSON is POSTed (a status page integration)'),
    secretEnv: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, 'name an environment variable, like STATUSPAGE_SECRET')
      .describe('Environment variable holding the HMAC-SHA256 secret; never written in this file'),
    ...common,
  })
  .strict();

export const audiencesSchema = z
  .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'audience ids use lowercase letters, digits, "-" and "_"'), z.discriminatedUnion('kind', [chatAudience, webhookAudience]))
  .default({});

export type AudiencesConfig = z.output<typeof audiencesSchema>;
export type Audience = AudiencesConfig[string];
