import { z } from 'zod';
import { durationSchemaFor } from './duration.js';

const pagingDuration = durationSchemaFor('"0s", "2m" or "5m"');

/**
 * Paging in muster.yaml: each person's contact methods and notification
 * rules (spread into the person schema in schema.ts), and the `paging:` block
 * that configures the providers once. Secrets are never written here: each
 * provider names the environment variable that holds its secret
 * (src/config/paging-env.ts reads them at start).
 *
 * This file is a leaf (it imports no other schema) so schema.ts can use it
 * without an import cycle.
 */

export const PAGING_SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type PagingSeverity = (typeof PAGING_SEVERITIES)[number];

/** Every way Muster can reach a person; `chat` is the page in chat, the others go through a provider. */
export const CONTACT_KINDS = ['chat', 'sms', 'voice', 'ntfy', 'pushover', 'email', 'pagerduty'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

const E164_RE = /^\+[1-9]\d{6,14}$/;
const NTFY_TOPIC_RE = /^[A-Za-z0-9_-]{1,64}$/;
const PUSHOVER_KEY_RE = /^[A-Za-z0-9]{30}$/;
const ROUTING_KEY_RE = /^[A-Za-z0-9]{32}$/;
const ENV_NAME_RE = /^[A-Z_][A-Z0-9_]*$/;


const envName = (fallback: string) =>
  z
    .string()
    .regex(ENV_NAME_RE, 'name an environment variable in capitals, like TWILIO_AUTH_TOKEN')
    .default(fallback)
    .describe(`Environment variable holding the secret (default ${fallback})`);

const baseUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: 'write an http(s) URL like https://ntfy.example.org' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default(fallback)
    .describe(`Base URL of the provider's API (default ${fallback}); tests point it at a local fake`);

const timeout = pagingDuration.prefault('10s').describe('How long one provider call may take');

/** One step of a person's notification rule: after this long since the page, these methods. */
export const notificationStepSchema = z
  .object({
    after: pagingDuration.describe('Time since the page, e.g. 0s, 2m, 5m'),
    via: z.array(z.enum(CONTACT_KINDS)).min(1).describe('Methods used at this step: chat, sms, voice, ntfy, pushover, email, pagerduty'),
  })
  .strict();

export const notificationRulesSchema = z
  .partialRecord(z.enum(PAGING_SEVERITIES), z.array(notificationStepSchema).min(1))
  .describe('Notification rules per severity; a severity left out uses paging.rules, then the built-in default');

export type NotificationStep = z.output<typeof notificationStepSchema>;
export type NotificationRules = z.output<typeof notificationRulesSchema>;

/** The fields a person gains for paging; schema.ts spreads them into its person object. */
export const personPagingShape = {
  phone: z
    .string()
    .regex(E164_RE, 'write the number in E.164 form: "+" then country code and number, no spaces, like +4915112345678')
    .optional()
    .describe('Mobile number in E.164 form, for SMS and voice calls (Twilio)'),
  ntfy: z
    .string()
    .regex(NTFY_TOPIC_RE, 'an ntfy topic uses letters, digits, "-" and "_" (at most 64); pick one hard to guess')
    .optional()
    .describe("The person's own ntfy topic"),
  pushover: z
    .string()
    .regex(PUSHOVER_KEY_RE, 'a Pushover user key is 30 letters and digits (from the Pushover dashboard)')
    .optional()
    .describe('Pushover user (or group) key'),
  email: z.email('write an email address like ana@example.com').optional().describe('Email address'),
  pagerduty: z
    .string()
    .regex(ROUTING_KEY_RE, 'a PagerDuty Events API v2 routing (integration) key is 32 letters and digits')
    .optional()
    .describe("Routing key of the person's PagerDuty Events API v2 integration"),
  notify: notificationRulesSchema.optional(),
} as const;

const twilioSchema = z
  .object({
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'a Twilio account SID is "AC" and 32 hex digits').describe('Twilio account SID'),
    authTokenEnv: envName('TWILIO_AUTH_TOKEN'),
    from: z.string().regex(E164_RE, 'write the sending number in E.164 form, like +15005550006').describe('Twilio number texts and calls come from'),
    baseUrl: baseUrl('https://api.twilio.com'),
    timeout,
  })
  .strict();

const ntfySchema = z
  .object({
    baseUrl: baseUrl('https://ntfy.sh'),
    tokenEnv: z.string().regex(ENV_NAME_RE, 'name an environment variable in capitals, like NTFY_TOKEN').optional().describe('Variable holding an ntfy access token (self-hosted servers with auth)'),
    priority: z.number().int().min(1).max(5).default(5).describe('ntfy priority of a page (5: max, wakes the phone)'),
    timeout,
  })
  .strict();

const pushoverSchema = z
  .object({
    tokenEnv: envName('PUSHOVER_TOKEN'),
    baseUrl: baseUrl('https://api.pushover.net'),
    priority: z.number().int().min(-2).max(1).default(1).describe('Pushover priority of a page (1: high, bypasses quiet hours)'),
    timeout,
  })
  .strict();

const pagerdutySchema = z
  .object({
    baseUrl: baseUrl('https://events.pagerduty.com'),
    webhookSecretEnv: z
      .string()
      .regex(ENV_NAME_RE, 'name an environment variable in capitals, like PAGERDUTY_WEBHOOK_SECRET')
      .optional()
      .describe('Variable holding the v3 webhook signing secret, to mirror acknowledgements made in PagerDuty'),
    timeout,
  })
  .strict();

const emailSchema = z
  .object({
    host: z.string().min(1).describe('SMTP server host'),
    port: z.number().int().min(1).max(65535).default(587),
    secure: z.boolean().default(false).describe('TLS from the start (port 465); otherwise STARTTLS when offered'),
    from: z.string().min(3).describe('Sender, e.g. "Muster <muster@example.com>"'),
    userEnv: z.string().regex(ENV_NAME_RE).optional().describe('Variable holding the SMTP user name'),
    passwordEnv: z.string().regex(ENV_NAME_RE).optional().describe('Variable holding the SMTP password'),
    timeout,
  })
  .strict();

export const pagingConfigSchema = z
  .object({
    twilio: twilioSchema.optional().describe('SMS and voice calls through Twilio'),
    ntfy: ntfySchema.optional().describe('Push through ntfy (self-hostable), one topic per person'),
    pushover: pushoverSchema.optional().describe('Push through Pushover'),
    pagerduty: pagerdutySchema.optional().describe('PagerDuty Events API v2, for teams that keep its apps'),
    email: emailSchema.optional().describe('Email through an SMTP server'),
    ackLinks: z
      .object({
        keyEnv: envName('MUSTER_PAGING_KEY'),
        ttl: pagingDuration.prefault('1h').describe('How long a one-tap acknowledge link lives at most'),
      })
      .strict()
      .prefault({})
      .describe('Signed one-tap acknowledge links in push and email'),
    rules: notificationRulesSchema.optional().describe('Default notification rules for everyone, per severity'),
  })
  .strict()
  .describe('Providers that wake people (phone, push, pager, email); secrets come from the environment');

export type PagingConfig = z.output<typeof pagingConfigSchema>;
export type TwilioConfig = NonNullable<PagingConfig['twilio']>;
export type NtfyConfig = NonNullable<PagingConfig['ntfy']>;
export type PushoverConfig = NonNullable<PagingConfig['pushover']>;
export type PagerDutyConfig = NonNullable<PagingConfig['pagerduty']>;
export type EmailConfig = NonNullable<PagingConfig['email']>;

/** The paging fields of a parsed person. */
export type PersonPaging = { [K in keyof typeof personPagingShape]?: z.output<(typeof personPagingShape)[K]> };
