import { z } from 'zod';
import { DateTime, IANAZone } from 'luxon';
import { durationSchema } from '../config/duration.js';

/**
 * The zod schema of one drill schedule in muster.yaml (`drills:` maps a schedule
 * id to it). It lives apart from `config/schema.ts` so the config schema can
 * import it without a cycle; for the same reason it defines its own duration
 * and id parsers, written exactly like the ones there.
 *
 * Windows and blackouts are local wall-clock times in the schedule's `timeZone`.
 * Cross references (the scenario is a playbook marked `drill: true`, teams,
 * people and actions exist) are checked with the other references, not here.
 */

const ID_RE = /^[a-z0-9][a-z0-9_-]*$/;
const id = (what: string) =>
  z
    .string()
    .regex(ID_RE, `${what} ids use lowercase letters, digits, "-" and "_" (like "payments-sre")`);


/** Monday first, matching luxon's `weekday` (1 = Monday … 7 = Sunday). */
export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const timeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write a time as HH:MM on a 24-hour clock, like "09:30"')
  .describe('Local wall-clock time, HH:MM (24-hour)');

const windowSchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1).describe('Week days the window is open, e.g. [monday, friday]'),
    from: timeSchema.describe('Window opens at this local time (inclusive)'),
    to: timeSchema.describe('Window closes at this local time (exclusive)'),
  })
  .strict()
  // Zero-padded HH:MM compares correctly as text.
  .refine((w) => w.to > w.from, {
    message: 'a window must end after it starts on the same day ("to" after "from"); split overnight windows in two',
    path: ['to'],
  })
  .describe('An allowed window: days of the week and local hours');

const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'write a date as YYYY-MM-DD, like "2026-12-24"')
  .refine((text) => DateTime.fromISO(text, { zone: 'utc' }).isValid, { message: 'not a calendar date' })
  .describe('A local calendar date, YYYY-MM-DD');

/** A single date is normalised to a one-day range, so the planner sees one shape. */
const blackoutSchema = z
  .union([
    dateSchema.transform((date) => ({ from: date, to: date })),
    z
      .object({
        from: dateSchema.describe('First blacked-out date (inclusive)'),
        to: dateSchema.describe('Last blacked-out date (inclusive)'),
      })
      .strict()
      .refine((range) => range.to >= range.from, {
        message: 'a blackout range must end on or after its first day',
        path: ['to'],
      }),
  ])
  .describe('A blackout: a date "YYYY-MM-DD" or an inclusive range { from, to }, in the schedule time zone');

const timeZoneSchema = z
  .string()
  .refine((zone) => IANAZone.isValidZone(zone), {
    message: 'use an IANA time zone like "Europe/Berlin", "America/New_York" or "UTC"',
  })
  .describe('IANA time zone the windows and blackouts are written in');

export const drillScheduleSchema = z
  .object({
    scenario: id('playbook').describe('Playbook to run; it must be marked drill: true'),
    teams: z.array(id('team')).min(1).describe('Teams the drill musters'),
    windows: z.array(windowSchema).min(1).describe('When a drill may start (local wall-clock windows)'),
    timeZone: timeZoneSchema.default('UTC'),
    blackouts: z.array(blackoutSchema).default([]).describe('Dates and ranges when no drill may start'),
    meanGap: durationSchema.describe('Average time between drills, e.g. 14d'),
    minGap: durationSchema.describe('Least time between two drills, e.g. 3d'),
    monthlyMax: z.number().int().min(1).default(4).describe('At most this many drills per calendar month'),
    optOut: z.array(id('person')).default([]).describe('People never paged by this drill'),
    live: z
      .array(id('action'))
      .default([])
      .describe('Actions that run for real (with an approval at start); all others are dry runs'),
  })
  .strict()
  // With minGap == meanGap there would be no randomness left: every drill exactly minGap apart.
  // Zod still runs this when a duration failed to parse; only compare real numbers.
  .refine((s) => typeof s.meanGap !== 'number' || typeof s.minGap !== 'number' || s.minGap < s.meanGap, {
    message: 'minGap must be shorter than meanGap (the difference is the random part)',
    path: ['minGap'],
  })
  .describe('An unannounced drill schedule');

export const drillsConfigSchema = z
  .record(id('drill schedule'), drillScheduleSchema)
  .default({})
  .describe('Drill schedules by id');

export type DrillSchedule = z.output<typeof drillScheduleSchema>;
export type DrillScheduleInput = z.input<typeof drillScheduleSchema>;
export type DrillWindow = DrillSchedule['windows'][number];
export type DrillBlackout = DrillSchedule['blackouts'][number];
export type DrillsConfig = z.output<typeof drillsConfigSchema>;
