import { z } from 'zod';
import { durationSchema } from '../config/schema.js';

/**
 * A playbook (playbooks/*.yaml): ordered steps, each with an id, a title, the
 * role that owns it and a due time. Steps run in order; `next` jumps (or
 * "end"s), a decision branches to `yes` or `no`, and a parallel group opens
 * all its steps at once and is done when they all are.
 */
const stepId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'step ids use lowercase letters, digits and "-" (like confirm-impact)');

const base = {
  id: stepId,
  title: z.string().min(1).max(200),
  role: z.string().optional().describe('Role that owns the step; its holder is nudged when it is overdue'),
  due: durationSchema.optional().describe('How long the step may take once open'),
  next: z.union([stepId, z.literal('end')]).optional().describe('Step to open after this one (default: the next in the list)'),
};

const check = z.object({ kind: z.literal('check'), ...base }).strict();
const action = z
  .object({
    kind: z.literal('action'),
    ...base,
    action: z.string().min(1).describe('A privileged action from actions: in muster.yaml'),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  })
  .strict();
const notify = z
  .object({
    kind: z.literal('notify'),
    ...base,
    audience: z.string().default('war-room').describe('An audience from muster.yaml, or war-room'),
    text: z.string().min(1).max(2000),
  })
  .strict();
const wait = z.object({ kind: z.literal('wait'), ...base, for: durationSchema }).strict();
const decision = z.object({ kind: z.literal('decision'), ...base, yes: stepId, no: stepId }).strict();

export const leafStepSchema = z.discriminatedUnion('kind', [check, action, notify, wait]);
const parallel = z
  .object({ kind: z.literal('parallel'), ...base, steps: z.array(leafStepSchema).min(2) })
  .strict();
export const stepSchema = z.discriminatedUnion('kind', [check, action, notify, wait, decision, parallel]);

export const playbookSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'playbook ids use lowercase letters, digits and "-"'),
    title: z.string().min(1).max(200),
    description: z.string().optional(),
    drill: z.boolean().default(false).describe('A drill scenario'),
    match: z
      .object({ services: z.array(z.string()).default([]), severities: z.array(z.enum(['P1', 'P2', 'P3', 'P4'])).default([]) })
      .strict()
      .optional()
      .describe('Attached automatically to incidents on these services at these severities'),
    steps: z.array(stepSchema).min(1),
  })
  .strict();

export type Playbook = z.output<typeof playbookSchema>;
export type PlaybookStep = z.output<typeof stepSchema>;
export type LeafStep = z.output<typeof leafStepSchema>;
