import { DateTime, Info } from 'luxon';
import { WEEKDAYS, type DrillSchedule } from './schedule-schema.js';

/**
 * The drill planner: pure functions from a schedule, a clock reading and the
 * history of earlier drills to the next start time. No I/O, no hidden clock:
 * the caller passes `after` and (for tests) the random source.
 *
 * How a start is drawn (see `nextDrillTime`):
 *   floor     = max(after, last drill + minGap)
 *   candidate = floor + Exp(mean m)
 *   start     = a uniformly random minute of the first allowed window occurrence
 *               that ends after the candidate (never before `floor`).
 * Allowed occurrences skip blackout dates and months already holding
 * `monthlyMax` drills. Windows and blackouts push a candidate later, so `m` is
 * not simply meanGap − minGap: it is solved so that the EXPECTED start, over the
 * real occurrences ahead, lands meanGap after the last drill (see `solveMean`).
 * So each gap is unbiased on its own, with no memory of earlier gaps (a
 * "catch-up" debt would make drills after a pause come fast and predictably).
 * The one bias left is pushes nothing may undo: a floor inside a long blackout
 * range, or a month already at `monthlyMax`, lands later than the mean allows.
 * A monthlyMax near 30 days / meanGap therefore stretches the real mean gap.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
/** No allowed moment within this many days means the schedule cannot run. */
export const PLAN_HORIZON_DAYS = 400;
/** Picks that land in a DST-repeated hour outside the wall-clock window are redrawn this often. */
const DST_REDRAWS = 20;

export type DisallowedReason = 'blackout' | 'outside-window' | 'monthly-max' | 'min-gap';
export type Allowed = { ok: true } | { ok: false; reason: DisallowedReason };

/** One allowed window occurrence: `start` on the minute grid, `end` exclusive (epoch ms). */
interface Span {
  start: number;
  end: number;
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function isBlackedOut(schedule: DrillSchedule, isoDate: string): boolean {
  return schedule.blackouts.some((b) => b.from <= isoDate && isoDate <= b.to);
}

function monthKey(schedule: DrillSchedule, at: number): string {
  return DateTime.fromMillis(at, { zone: schedule.timeZone }).toFormat('yyyy-MM');
}

/** Drills per local calendar month, counting only history at or after `since` (cheap for long histories). */
function monthCounts(schedule: DrillSchedule, history: readonly number[], since: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const at of history) {
    if (at < since) continue;
    const key = monthKey(schedule, at);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** True when the local wall clock at `at` is inside one of the windows (blackouts not checked). */
function insideWindow(schedule: DrillSchedule, at: number): boolean {
  const local = DateTime.fromMillis(at, { zone: schedule.timeZone });
  const day = WEEKDAYS[local.weekday - 1] as (typeof WEEKDAYS)[number];
  const minute = local.hour * 60 + local.minute;
  return schedule.windows.some(
    (w) => w.days.includes(day) && minute >= minutesOf(w.from) && minute < minutesOf(w.to),
  );
}

/**
 * The instant of wall-clock `hhmm` on local `day`. A time skipped by a DST jump
 * (02:30 on a spring-forward night) has no instant; luxon would move it forward
 * by the jump, but the first moment whose wall clock is past it is the jump
 * itself, so we return that: a window 01:30–02:30 then ends at the jump and a
 * window wholly inside the skipped hour is empty. Repeated (fall-back) hours
 * are caught by the redraw in `pickMinute`.
 */
function wallClock(schedule: DrillSchedule, day: DateTime, hhmm: string): number {
  const wanted = minutesOf(hhmm);
  const dt = DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour: Math.floor(wanted / 60), minute: wanted % 60 },
    { zone: schedule.timeZone },
  );
  const shift = dt.hour * 60 + dt.minute - wanted;
  return shift > 0 ? jumpInstant(schedule, dt.toMillis() - shift * MINUTE, dt.toMillis()) : dt.toMillis();
}

/** The first minute in (before, after] whose UTC offset is the one at `after` (bisection; DST nights only). */
function jumpInstant(schedule: DrillSchedule, before: number, after: number): number {
  const offsetAfter = DateTime.fromMillis(after, { zone: schedule.timeZone }).offset;
  let low = before;
  let high = after;
  while (high - low > MINUTE) {
    const mid = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
    if (DateTime.fromMillis(mid, { zone: schedule.timeZone }).offset === offsetAfter) high = mid;
    else low = mid;
  }
  return high;
}

/** The merged window occurrences of one local day, or none when blacked out or the month is full. */
function daySpans(schedule: DrillSchedule, day: DateTime, counts: Map<string, number>): Span[] {
  if (isBlackedOut(schedule, day.toISODate() as string)) return [];
  if ((counts.get(day.toFormat('yyyy-MM')) ?? 0) >= schedule.monthlyMax) return [];
  const weekday = WEEKDAYS[day.weekday - 1] as (typeof WEEKDAYS)[number];
  const raw = schedule.windows
    .filter((w) => w.days.includes(weekday))
    .map((w) => ({ start: wallClock(schedule, day, w.from), end: wallClock(schedule, day, w.to) }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const span of raw) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/** Allowed occurrences in time order, clipped to start at `from` (rounded up to a minute), up to day `until`. */
function* allowedSpans(
  schedule: DrillSchedule,
  from: number,
  until: number,
  counts: Map<string, number>,
): Generator<Span> {
  let day = DateTime.fromMillis(from, { zone: schedule.timeZone }).startOf('day');
  while (day.toMillis() <= until) {
    for (const span of daySpans(schedule, day, counts)) {
      const start = Math.ceil(Math.max(span.start, from) / MINUTE) * MINUTE;
      if (span.end > start) yield { start, end: span.end };
    }
    day = day.plus({ days: 1 });
  }
}

function minuteCount(span: Span): number {
  return Math.ceil((span.end - span.start) / MINUTE);
}

/** Mean of a uniformly drawn minute of the span. */
function spanMean(span: Span): number {
  return span.start + ((minuteCount(span) - 1) * MINUTE) / 2;
}

/**
 * E[start − floor] when candidate = floor + Exp(mean m). A candidate in
 * [previous span end, span end) lands on that span, whose uniform minute has
 * mean `spanMean`; so the expectation is a sum over spans weighted by the
 * exponential's probability of each stretch. Past the last span we assume no push.
 */
function expectedOffset(spans: readonly Span[], floor: number, m: number): number {
  let total = 0;
  let stretchStart = floor;
  let pBefore = 1;
  for (const span of spans) {
    const pAfter = m > 0 ? Math.exp(-(span.end - floor) / m) : 0;
    total += (spanMean(span) - floor) * (pBefore - pAfter);
    stretchStart = span.end;
    pBefore = pAfter;
  }
  return total + pBefore * (stretchStart - floor + m);
}

/**
 * The exponential mean m with E[start − floor] = target. The expectation grows
 * with m, so bisection finds it. When even m = 0 lands later than the target
 * (a long blackout ahead) we return 0: the drill comes as early as allowed and
 * this one gap runs long — nothing earlier is allowed.
 */
function solveMean(spans: readonly Span[], floor: number, target: number): number {
  if (expectedOffset(spans, floor, 0) >= target) return 0;
  let low = 0;
  let high = 2 * target;
  for (let i = 0; i < 40; i++) {
    const mid = (low + high) / 2;
    if (expectedOffset(spans, floor, mid) < target) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** A uniformly random minute of the span whose wall clock really is inside a window. */
function pickMinute(schedule: DrillSchedule, span: Span, random: () => number): number {
  const count = minuteCount(span);
  for (let i = 0; i < DST_REDRAWS; i++) {
    const at = span.start + Math.floor(random() * count) * MINUTE;
    if (insideWindow(schedule, at)) return at;
  }
  return span.start;
}

/**
 * The next drill start (epoch ms) strictly planned from the schedule: at least
 * `minGap` after the latest drill in `history`, never before `after`, inside
 * an allowed window on a day that is not blacked out, in a month with fewer
 * than `monthlyMax` drills. Gaps average `meanGap` (see the module comment).
 * Returns undefined when no allowed moment exists within 400 days.
 */
export function nextDrillTime(
  schedule: DrillSchedule,
  after: number,
  history: readonly number[],
  random: () => number = Math.random,
): number | undefined {
  const last = history.length > 0 ? Math.max(...history) : undefined;
  const floor = last === undefined ? after : Math.max(after, last + schedule.minGap);
  const horizon = floor + PLAN_HORIZON_DAYS * DAY;
  const since = DateTime.fromMillis(floor, { zone: schedule.timeZone }).startOf('month').toMillis();
  const counts = monthCounts(schedule, history, since);
  const target = schedule.meanGap - schedule.minGap;
  // Enough occurrences that the exponential's tail beyond them is negligible.
  const enough = Math.max(30 * DAY, 12 * target);
  const spans: Span[] = [];
  for (const span of allowedSpans(schedule, floor, horizon, counts)) {
    spans.push(span);
    if (span.end - floor >= enough) break;
  }
  if (spans.length === 0) return undefined;
  const m = solveMean(spans, floor, target);
  // 1 − random() is in (0, 1], so the logarithm is finite.
  const candidate = floor - m * Math.log(1 - random());
  const span =
    spans.find((s) => s.end > candidate) ??
    allowedSpans(schedule, candidate, candidate + PLAN_HORIZON_DAYS * DAY, counts).next().value;
  return span ? pickMinute(schedule, span, random) : undefined;
}

/**
 * Whether a drill may start at `at`: not on a blackout date, inside a window
 * by the local wall clock, and — given earlier drills in `history` — not over
 * the monthly maximum nor closer than `minGap` to the previous drill.
 */
export function isAllowed(schedule: DrillSchedule, at: number, history: readonly number[] = []): Allowed {
  const local = DateTime.fromMillis(at, { zone: schedule.timeZone });
  if (isBlackedOut(schedule, local.toISODate() as string)) return { ok: false, reason: 'blackout' };
  if (!insideWindow(schedule, at)) return { ok: false, reason: 'outside-window' };
  const earlier = history.filter((t) => t < at);
  const month = monthKey(schedule, at);
  const sameMonth = earlier.filter((t) => monthKey(schedule, t) === month).length;
  if (sameMonth >= schedule.monthlyMax) return { ok: false, reason: 'monthly-max' };
  const last = earlier.length > 0 ? Math.max(...earlier) : undefined;
  if (last !== undefined && at - last < schedule.minGap) return { ok: false, reason: 'min-gap' };
  return { ok: true };
}

/** "Mon–Fri", "Sat, Sun", "Mon, Wed, Fri": runs of three or more days use a dash. */
function describeDays(days: readonly string[], names: readonly string[]): string {
  const indexes = [...new Set(days.map((d) => WEEKDAYS.indexOf(d as (typeof WEEKDAYS)[number])))].sort(
    (a, b) => a - b,
  );
  const parts: string[] = [];
  for (let i = 0; i < indexes.length; ) {
    let j = i;
    while (j + 1 < indexes.length && (indexes[j + 1] as number) === (indexes[j] as number) + 1) j++;
    const first = names[indexes[i] as number] as string;
    const lastName = names[indexes[j] as number] as string;
    if (j - i >= 2) parts.push(`${first}–${lastName}`);
    else for (let k = i; k <= j; k++) parts.push(names[indexes[k] as number] as string);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * What leads see in `/drill schedule`: the windows, never a planned moment,
 * e.g. "Mon–Fri 10:00–16:00 Europe/Berlin". Day names follow `locale`.
 */
export function describeWindows(schedule: DrillSchedule, locale = 'en'): string {
  const names = Info.weekdays('short', { locale });
  const windows = schedule.windows.map((w) => `${describeDays(w.days, names)} ${w.from}–${w.to}`);
  return `${windows.join('; ')} ${schedule.timeZone}`;
}
