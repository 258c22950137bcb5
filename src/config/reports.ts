import { z } from 'zod';

/** `reports:` in muster.yaml: reports Muster posts by itself. */
export const WEEKDAY = z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);

export const reportsConfigSchema = z
  .object({
    weekly: z
      .object({
        day: WEEKDAY.default('monday'),
        time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write the time as HH:MM, 24-hour').default('09:00'),
        timeZone: z.string().default('UTC'),
        conversation: z.string().regex(/^(slack|discord|console):\S+$/, 'write a chat conversation like slack:C0LEADS'),
      })
      .strict()
      .optional()
      .describe('Weekly report to the leads'),
  })
  .strict()
  .default({});

export type ReportsConfig = z.output<typeof reportsConfigSchema>;
