import { DateTime, Duration, IANAZone } from 'luxon';
import { DomainError } from '../errors.js';
import type { Translate } from '../i18n/catalog.js';

/**
 * Time phrases people type in shift commands, read in the team's time zone
 * with luxon. Points: "now", "18:00", "today 18:00", "tomorrow 09:00",
 * "friday 17:30", "2026-12-24 18:00" (or 2026-12-24T18:00). Intervals:
 * "tonight", "until <point>", "<point> to <point>", "from <point> until
 * <point>", "<point> <point>", "<duration>" and "<point> for <duration>".
 *
 * Wall clock rules: a point is a local time, so "18:00 to 09:00" across a DST
 * change lasts 14 or 16 real hours, exactly the wall-clock interval asked for;
 * durations in days or weeks are calendar days ("2d" from 18:00 ends at 18:00),
 * durations in hours and minutes are real elapsed time (luxon's own rules).
 */

export interface Interval {
  start: number;
  end: number;
}

export interface TimeContext {
  zone: string;
  now: number;
  t: Translate;
  /** What "tonight" means: local HH:MM from and until (schedules.tonight). */
  tonight: { from: string; until: string };
}

const WEEKDAYS: Record<string, number> = {
  mon: 1, monday: 1, tue: 2, tuesday: 2, wed: 3, wednesday: 3, thu: 4, thursday: 4,
  fri: 5, friday: 5, sat: 6, saturday: 6, sun: 7, sunday: 7,
};
const TIME_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4}-\d{2}-\d{2})t(\d{1,2}:\d{2})$/;
const DURATION_RE = /^(?:\d+(?:w|d|h|m))+$/;
const SEPARATORS = new Set(['to', 'until', 'till', '-', '–', '→']);
const DURATION_UNITS: Record<string, string> = { w: 'weeks', d: 'days', h: 'hours', m: 'minutes' };

const words = (text: string): string[] => text.trim().toLowerCase().split(/\s+/).filter(Boolean);

function clock(text: string): { hour: number; minute: number } | undefined {
  const match = TIME_RE.exec(text);
  return match ? { hour: Number(match[1]), minute: Number(match[2]) } : undefined;
}

/** A luxon Duration for "4h", "1d12h", "30m", "2w"; undefined when it is not one. */
export function parseShiftDuration(text: string): Duration | undefined {
  const lowered = text.trim().toLowerCase();
  if (!DURATION_RE.test(lowered)) return undefined;
  const values: Record<string, number> = {};
  for (const [, amount, unit] of lowered.matchAll(/(\d+)(w|d|h|m)/g)) {
    const key = DURATION_UNITS[unit as string] as string;
    values[key] = (values[key] ?? 0) + Number(amount);
  }
  return Duration.fromObject(values);
}

/** The first local `hour:minute` at or after `after` on a day that `dayOk` accepts (within 8 days). */
function nextWallClock(after: DateTime, time: { hour: number; minute: number }, dayOk: (day: DateTime) => boolean): DateTime {
  for (let d = 0; d < 8; d++) {
    const day = after.startOf('day').plus({ days: d });
    const at = day.set({ hour: time.hour, minute: time.minute, second: 0, millisecond: 0 });
    if (dayOk(day) && at >= after) return at;
  }
  return after;
}

/**
 * Parses a point in time; `after` is what a bare "09:00" or "friday 09:00"
 * must follow, and "today" / "tomorrow" count from `now` (so the end of
 * "tomorrow 10:00 to tomorrow 11:00" is the same tomorrow). Undefined when unreadable.
 */
export function parsePoint(text: string, zone: string, after: number, now = after): number | undefined {
  const parts = words(text);
  const base = DateTime.fromMillis(after, { zone });
  if (parts.length === 1 && parts[0] === 'now') return after;
  const joined = parts.length === 1 ? DATETIME_RE.exec(parts[0] as string) : null;
  const [dayWord, timeWord] = joined ? [joined[1] as string, joined[2] as string] : parts.length === 2 ? parts : [undefined, parts[0]];
  if (parts.length === 0 || parts.length > 2 || timeWord === undefined) return undefined;
  const time = clock(timeWord);
  if (!time) return undefined;
  if (dayWord === undefined) return nextWallClock(base, time, () => true).toMillis();
  const date = DATE_RE.exec(dayWord);
  if (date) {
    const at = DateTime.fromObject({ year: Number(date[1]), month: Number(date[2]), day: Number(date[3]), ...time }, { zone });
    return at.isValid ? at.toMillis() : undefined;
  }
  if (dayWord === 'today' || dayWord === 'tomorrow') {
    const day = DateTime.fromMillis(now, { zone }).startOf('day').plus({ days: dayWord === 'tomorrow' ? 1 : 0 });
    return day.set({ hour: time.hour, minute: time.minute }).toMillis();
  }
  const weekday = WEEKDAYS[dayWord];
  if (weekday !== undefined) return nextWallClock(base, time, (day) => day.weekday === weekday).toMillis();
  return undefined;
}

/** "tonight": from this evening (or now, if later) until the next morning time; after midnight, until this morning. */
function tonight(ctx: TimeContext): Interval {
  const from = clock(ctx.tonight.from) ?? { hour: 18, minute: 0 };
  const until = clock(ctx.tonight.until) ?? { hour: 9, minute: 0 };
  const now = DateTime.fromMillis(ctx.now, { zone: ctx.zone });
  const morning = now.set({ ...until, second: 0, millisecond: 0 });
  if (now < morning) return { start: ctx.now, end: morning.toMillis() };
  const evening = now.set({ ...from, second: 0, millisecond: 0 });
  const start = Math.max(ctx.now, evening.toMillis());
  return { start, end: morning.plus({ days: 1 }).toMillis() };
}

function startPlus(start: number, zone: string, text: string): number | undefined {
  const duration = parseShiftDuration(text);
  return duration ? DateTime.fromMillis(start, { zone }).plus(duration).toMillis() : undefined;
}

/** Tries every reading of the words; undefined when none fits. */
function readInterval(parts: string[], ctx: TimeContext): Interval | undefined {
  const { zone, now } = ctx;
  const text = parts.join(' ');
  if (text === 'tonight') return tonight(ctx);
  if (parts.length === 1 && parseShiftDuration(text)) return { start: now, end: startPlus(now, zone, text) as number };
  const rest = parts[0] === 'from' ? parts.slice(1) : parts;
  if (rest[0] !== undefined && SEPARATORS.has(rest[0]) && rest[0] !== '-') {
    const end = parsePoint(rest.slice(1).join(' '), zone, now);
    return end === undefined ? undefined : { start: now, end };
  }
  for (let i = 1; i < rest.length; i++) {
    const separated = SEPARATORS.has(rest[i] as string) || rest[i] === 'for';
    const left = rest.slice(0, i).join(' ');
    const right = rest.slice(separated ? i + 1 : i).join(' ');
    const start = parsePoint(left, zone, now);
    if (start === undefined || right === '') continue;
    const end = rest[i] === 'for' ? startPlus(start, zone, right) : parsePoint(right, zone, start, now);
    if (end !== undefined) return { start, end };
  }
  return undefined;
}

/** Parses an interval phrase or throws a usage error that shows the forms it understands. */
export function parseInterval(text: string, ctx: TimeContext): Interval {
  if (!IANAZone.isValidZone(ctx.zone)) throw new DomainError('usage', ctx.t('schedule.badZone', { zone: ctx.zone }));
  const interval = readInterval(words(text), ctx);
  if (!interval) throw new DomainError('usage', ctx.t('schedule.badInterval', { text }), ctx.t('schedule.intervalForms'));
  return interval;
}

/**
 * Splits "tomorrow 09:00 to tomorrow 18:00 dentist" into the longest leading
 * interval and the rest (a reason). Throws like parseInterval when no prefix reads.
 */
export function parseLeadingInterval(text: string, ctx: TimeContext): { interval: Interval; rest: string } {
  const original = text.trim().split(/\s+/).filter(Boolean);
  const lowered = original.map((word) => word.toLowerCase());
  for (let n = Math.min(lowered.length, 8); n > 0; n--) {
    const interval = readInterval(lowered.slice(0, n), ctx);
    if (interval) return { interval, rest: original.slice(n).join(' ') };
  }
  return { interval: parseInterval(text, ctx), rest: '' };
}

/** "Thu, Dec 24, 2026, 18:00 GMT+1" in the team zone and the reader's locale. */
export function formatInstant(at: number, zone: string, locale: string): string {
  return DateTime.fromMillis(at, { zone }).setLocale(locale).toLocaleString({
    weekday: 'short', year: 'numeric', month: 'short', day: 'numeric',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
  });
}

/** The echo of an interval: both ends with date, time and offset, and the zone's name. */
export function formatInterval(interval: Interval, zone: string, locale: string, t: Translate): string {
  return t('schedule.interval', {
    start: formatInstant(interval.start, zone, locale),
    end: formatInstant(interval.end, zone, locale),
    zone,
  });
}
