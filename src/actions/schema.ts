import { z } from 'zod';
import { parseDuration } from '../config/duration.js';

/**
 * `actions:` in muster.yaml: privileged actions, how they run
 * and who may run them. Kept apart from config/schema.ts, which imports it
 * (the same arrangement as audiences.ts), so severities and durations are
 * declared here again rather than imported back.
 */

const ID_RE = /^[a-z0-9][a-z0-9_-]*$/;
const id = (what: string) => z.string().regex(ID_RE, `${what} ids use lowercase letters, digits, "-" and "_"`);
const severity = z.enum(['P1', 'P2', 'P3', 'P4']);

const duration = (fallback: string) =>
  z
    .string()
    .refine((text) => parseDuration(text) !== undefined, { message: 'write a duration like "30s", "15m" or "4h"' })
    .default(fallback)
    .transform((text) => parseDuration(text) as number);

const validRegex = (text: string): boolean => {
  try {
    new RegExp(text, 'u');
    return true;
  } catch {
    return false;
  }
};

const required = z.boolean().default(true).describe('The parameter must be given (default true)');

/** A small declarative parameter schema; compiled to zod by params.ts. */
export const paramSpecSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('string'),
      pattern: z.string().refine(validRegex, 'write a valid regular expression').optional().describe('The whole value must match'),
      maxLength: z.number().int().min(1).max(1000).default(200),
      required,
    })
    .strict(),
  z.object({ type: z.literal('enum'), values: z.array(z.string().min(1)).min(1), required }).strict(),
  z.object({ type: z.literal('integer'), min: z.number().int().optional(), max: z.number().int().optional(), required }).strict(),
  z.object({ type: z.literal('boolean'), required }).strict(),
]);

const httpExecutor = z
  .object({
    kind: z.literal('http'),
    url: z.string().url().describe('Where the signed JSON is POSTed'),
    secretEnv: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, 'name an environment variable, like FAILOVER_SECRET')
      .describe('Environment variable holding the HMAC-SHA256 secret; never written in this file'),
    timeout: duration('30s').describe('Per attempt'),
    idempotent: z.boolean().default(false).describe('Retried on failure only when true'),
  })
  .strict();

const execExecutor = z
  .object({
    kind: z.literal('exec'),
    program: z
      .string()
      .refine((path) => path.startsWith('/') && !path.includes('/../') && !path.endsWith('/..'), 'write an absolute program path, like /opt/muster/bin/rollback')
      .describe('Absolute path; must be listed in actions.allowedPrograms'),
    args: z.array(z.string().max(500)).max(50).default([]).describe('Argument template; {param} is replaced inside one argument, never split'),
    timeout: duration('30s'),
    maxOutput: z.number().int().min(256).max(4 * 1024 * 1024).default(64 * 1024).describe('Bytes of stdout and stderr kept'),
  })
  .strict();

export const actionPolicySchema = z
  .object({
    delegate: z
      .object({
        roles: z.array(id('role')).min(1).describe('Staffed holders of these roles get a grant'),
        severities: z.array(severity).min(1).describe('Only while the incident is at one of these severities'),
        ttl: duration('4h').describe('A grant lasts this long from the ack'),
      })
      .strict()
      .optional(),
    approval: z
      .object({
        approvers: z.number().int().min(1).max(5).default(1).describe('How many other people must approve'),
        teams: z.array(id('team')).optional().describe('Approvers come from these teams (rotation and manager)'),
        people: z.array(id('person')).optional().describe('... or are these people'),
        expires: duration('15m').describe('A request lapses after this long'),
      })
      .strict()
      .optional(),
    breakGlass: z.boolean().default(false).describe('May run without approval, with a reason, alerting security'),
  })
  .strict();

export const actionSchema = z
  .object({
    title: z.string().min(1).max(200),
    executor: z.discriminatedUnion('kind', [httpExecutor, execExecutor]),
    params: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'parameter names use lowercase letters, digits and "_"'), paramSpecSchema).default({}),
    policy: actionPolicySchema.prefault({}),
  })
  .strict();

export const actionsConfigSchema = z
  .object({
    allowedPrograms: z
      .array(z.string().refine((path) => path.startsWith('/'), 'write an absolute path'))
      .default([])
      .describe('The only programs an exec action may run'),
    catalog: z.record(id('action'), actionSchema).default({}).describe('The privileged actions, by id'),
  })
  .strict()
  .superRefine((actions, ctx) => {
    for (const [name, action] of Object.entries(actions.catalog)) {
      const executor = action.executor;
      if (executor.kind !== 'exec') continue;
      if (!actions.allowedPrograms.includes(executor.program)) {
        ctx.addIssue({
          code: 'custom',
          path: ['catalog', name, 'executor', 'program'],
          message: `"${executor.program}" is not in actions.allowedPrograms; add it there if it may run`,
        });
      }
      executor.args.forEach((arg, index) => {
        for (const [, param] of arg.matchAll(/\{(\w+)\}/g)) {
          if (param && !action.params[param]) {
            ctx.addIssue({ code: 'custom', path: ['catalog', name, 'executor', 'args', index], message: `unknown parameter {${param}}; declare it under params` });
          }
        }
      });
    }
  });

export type ActionsConfig = z.output<typeof actionsConfigSchema>;
export type ActionConfig = ActionsConfig['catalog'][string];
export type ParamSpec = z.output<typeof paramSpecSchema>;
export type ActionPolicy = ActionConfig['policy'];
/** An action with its id, as executors receive it. */
export type NamedAction = ActionConfig & { name: string };
