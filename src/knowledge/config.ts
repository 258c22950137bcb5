import { z } from 'zod';
import { durationSchema } from '../config/duration.js';

/**
 * `knowledge:` in muster.yaml. It lives apart from config/schema.ts so that
 * file can import it without a cycle; for the same reason it writes its own
 * duration, id and severity parsers, exactly like the ones there.
 *
 *   knowledge:
 *     owner: commander      # the role whose holder files the entry
 *     due: 48h              # after resolve
 *     dueBySeverity: { P1: 24h, P4: 5d }
 *     remindBefore: 4h
 */


const roleId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'role ids use lowercase letters, digits, "-" and "_" (like "commander")');

export const knowledgeConfigSchema = z
  .object({
    owner: roleId.default('commander').describe('Role whose holder gets the knowledge task at resolve (falls back to the declarer)'),
    due: durationSchema.prefault('48h').describe('When the entry is due after resolve (default 48h)'),
    dueBySeverity: z
      .partialRecord(z.enum(['P1', 'P2', 'P3', 'P4']), durationSchema)
      .default({})
      .describe('Due time per severity, overriding `due`'),
    remindBefore: durationSchema.prefault('4h').describe('Remind the owner this long before the entry is due (default 4h)'),
  })
  .strict()
  .describe('The knowledge loop: who files what was learned after resolve, and by when');

export type KnowledgeConfig = z.output<typeof knowledgeConfigSchema>;
