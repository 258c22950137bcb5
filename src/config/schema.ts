import { z } from 'zod';
import { durationSchema } from './duration.js';

export { durationSchema } from './duration.js';
import { alertsConfigSchema } from './alerts.js';
import { audiencesSchema } from './audiences.js';
import { drillsConfigSchema, WEEKDAYS } from '../drills/schedule-schema.js';
import { reportsConfigSchema } from './reports.js';
import { actionsConfigSchema } from '../actions/schema.js';
import { schedulesConfigSchema } from '../schedules/config.js';
import { pagingConfigSchema, personPagingShape } from './paging.js';
import { knowledgeConfigSchema } from '../knowledge/config.js';

/**
 * The zod schema of muster.yaml. It is the single source of truth: the loader
 * validates with it, `muster schema` prints its JSON Schema, and the core reads
 * the parsed (and normalised) `MusterConfig` type it infers.
 *
 * Durations are written as text ("15m") and arrive in the core as milliseconds.
 * Cross references (a role naming a team, a rotation naming a person) are
 * checked in `references.ts`, so every error can name its YAML path and a fix.
 */

const ID_RE = /^[a-z0-9][a-z0-9_-]*$/;
const id = (what: string) =>
  z
    .string()
    .regex(ID_RE, `${what} ids use lowercase letters, digits, "-" and "_" (like "payments-sre")`);


export const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severitySchema = z.enum(SEVERITIES);

const personSchema = z
  .object({
    name: z.string().min(1).describe('Display name'),
    slack: z.string().optional().describe('Slack user id, e.g. U012AB3CD'),
    discord: z.string().optional().describe('Discord user id (snowflake)'),
    timeZone: z.string().optional().describe('IANA time zone of the times this person reads; defaults to their team\'s, then the top-level timeZone'),
    ...personPagingShape,
  })
  .strict();

const rotationSchema = z
  .object({
    primary: z.array(id('person')).min(1).describe('People taking the primary pager in turn'),
    backup: z.array(id('person')).default([]).describe('People taking the backup pager in turn'),
    handoff: z
      .object({
        day: z.enum(WEEKDAYS),
        time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write the time as HH:MM, 24-hour'),
      })
      .strict()
      .default({ day: 'monday', time: '09:00' })
      .describe('When the pager changes hands each week, in the team time zone'),
    start: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'write the start date as YYYY-MM-DD')
      .describe('The week whose handoff gives the first person in each list the pager'),
  })
  .strict();

const teamSchema = z
  .object({
    name: z.string().min(1).optional().describe('Display name of the team'),
    timeZone: z
      .string()
      .optional()
      .describe('IANA time zone, e.g. Europe/Berlin: of its rotation handoffs (UTC when unset) and of the times its people read (the top-level timeZone when unset)'),
    manager: id('person').describe('Last step of a role escalation chain'),
    rotation: rotationSchema,
    escalation: id('escalation policy').optional().describe('Overrides the severity policy'),
  })
  .strict();

const severityLevelSchema = z
  .object({
    roles: z.array(id('role')).describe('Roles that must be staffed'),
    assemble: durationSchema.optional().describe('Assembly deadline; omit for no deadline'),
    respond: durationSchema.optional().describe('Response SLA'),
    update: durationSchema.optional().describe('Status update cadence'),
    resolve: durationSchema.optional().describe('Resolution target: resolved within this long of the declare (a warning before, the breach recorded and escalated after)'),
    escalation: id('escalation policy').describe('Default escalation policy for role slots'),
  })
  .strict();

const roleSchema = z
  .object({
    name: z.string().min(1).optional().describe('Display name of the role, e.g. Incident commander'),
    names: z
      .object({ en: z.string().min(1).optional(), 'zh-CN': z.string().min(1).optional() })
      .strict()
      .optional()
      .describe('The display name per locale, e.g. zh-CN: 事件指挥; used when it matches `locale`, else `name`'),
    team: id('team')
      .optional()
      .describe('Team whose rotation staffs the role; omit with fromService to use the service team'),
    fromService: z.boolean().default(false).describe('Staff from the affected service team'),
  })
  .strict();

const TARGETS = ['primary', 'backup', 'manager'] as const;
export type EscalationTarget = (typeof TARGETS)[number];

const escalationStepSchema = z
  .object({
    after: durationSchema.describe('Delay after the previous step (the first: after declare)'),
    page: z
      .union([z.enum(TARGETS), z.array(id('person')).min(1)])
      .describe("Who to page: the role team's primary, backup or manager, or these person ids"),
  })
  .strict();

const escalationPolicySchema = z
  .object({
    steps: z.array(escalationStepSchema).min(1).describe('Run in order while nobody acknowledges'),
    repeat: z.number().int().min(0).max(10).default(0).describe('Times the chain runs again'),
  })
  .strict();

const serviceSchema = z
  .object({
    name: z.string().min(1).optional().describe('Display name of the service'),
    team: id('team').describe('Team that owns the service (staffs the tech role)'),
  })
  .strict();

const dutyManagerSchema = z
  .union([
    z.object({ person: id('person') }).strict(),
    z.object({ team: id('team') }).strict(),
  ])
  .describe('Who is paged when an assembly deadline is breached');

export const musterConfigSchema = z
  .object({
    locale: z.enum(['en', 'zh-CN']).default('en').describe('Language of every message Muster sends'),
    timeZone: z.string().default('UTC').describe('Default time zone for times shown in chat'),
    people: z.record(id('person'), personSchema).describe('Everyone Muster may page, by person id'),
    teams: z.record(id('team'), teamSchema).describe('Teams with their weekly on-call rotations'),
    roles: z.record(id('role'), roleSchema).describe('Roles a muster staffs, e.g. commander, tech'),
    severities: z
      .partialRecord(severitySchema, severityLevelSchema)
      .describe('What each severity (P1-P4) musters, its deadlines and escalation'),
    escalation: z
      .record(id('escalation policy'), escalationPolicySchema)
      .describe('Escalation policies: who is paged when, until someone acknowledges'),
    services: z.record(id('service'), serviceSchema).describe('Services and the teams that own them'),
    dutyManager: dutyManagerSchema,
    channels: z
      .object({
        broadcast: z.string().optional().describe('Where new incidents are announced'),
      })
      .strict()
      .default({})
      .describe('Chat channels Muster posts to'),
    discord: z
      .object({
        category: z.string().optional().describe('Id of the category channel war room channels are created under'),
        broadcast: z
          .string()
          .optional()
          .describe('Id of the Discord channel new incidents are announced in (default: channels.broadcast)'),
        warRoom: z
          .enum(['channel', 'thread'])
          .default('channel')
          .describe('A war room is a private text channel (default) or a private thread in threadParent'),
        threadParent: z.string().optional().describe('Id of the text channel war room threads are opened in (thread mode)'),
      })
      .strict()
      .optional()
      .describe('Discord settings: where war rooms and announcements go'),
    alerts: alertsConfigSchema.prefault({}).describe('How monitoring alerts (POST /hooks/alertmanager, /hooks/generic) become incidents'),
    audiences: audiencesSchema.describe('Who else hears about incidents: executives, customer care, status pages'),
    playbooks: z.string().optional().describe('Folder of playbook YAML files, relative to this file (e.g. ../playbooks)'),
    drills: drillsConfigSchema.describe('Unannounced drill schedules: scenario, teams, windows, blackouts, gaps'),
    reports: reportsConfigSchema.describe('Reports Muster posts by itself (the weekly report to the leads)'),
    actions: actionsConfigSchema.prefault({}).describe('Privileged actions (failover, rollback) and who may run them'),
    retention: z
      .object({
        resolvedDays: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('Days a resolved incident stays in the store; `muster archive` without --before exports and removes older ones. Unset: kept for ever'),
      })
      .strict()
      .optional()
      .describe('How long resolved incidents are kept (see muster archive)'),
    schedules: schedulesConfigSchema.prefault({}).describe('On-call shift changes from chat (cover, swap, take): limits and phrases'),
    paging: pagingConfigSchema.prefault({}),
    knowledge: knowledgeConfigSchema.prefault({}),
  })
  .strict()
  .describe('Muster configuration (muster.yaml)');

export type MusterConfig = z.output<typeof musterConfigSchema>;
export type MusterConfigInput = z.input<typeof musterConfigSchema>;
export type PersonConfig = MusterConfig['people'][string];
export type TeamConfig = MusterConfig['teams'][string];
export type EscalationPolicy = MusterConfig['escalation'][string];
export type SeverityLevel = NonNullable<MusterConfig['severities'][Severity]>;
