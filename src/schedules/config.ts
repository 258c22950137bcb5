import { z } from 'zod';
import { durationSchemaFor } from '../config/duration.js';

const durationSchema = durationSchemaFor('"12h", "14d" or "1d12h"');

/**
 * The `schedules:` key of muster.yaml: limits on shift changes made from chat.
 * It lives apart from `config/schema.ts` (like the drill schema) so that file
 * can import it without a cycle. Every field has a default, so existing
 * configs need no edit.
 */

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write the time as HH:MM, 24-hour');

export const schedulesConfigSchema = z
  .object({
    maxChange: durationSchema
      .default(14 * 86_400_000)
      .describe('Longest interval one cover, swap or take may span (default 14d)'),
    maxAhead: durationSchema
      .default(180 * 86_400_000)
      .describe('How far ahead a change may start (default 180d)'),
    tonight: z
      .object({ from: clockTime.default('18:00'), until: clockTime.default('09:00') })
      .strict()
      .prefault({})
      .describe('What "tonight" means in the team time zone: from this evening time until this morning time'),
  })
  .strict();

export type SchedulesConfig = z.output<typeof schedulesConfigSchema>;
