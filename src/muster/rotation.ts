import { DateTime } from 'luxon';
import type { TeamConfig } from '../config/schema.js';
import { rotationZone } from '../config/zones.js';

/**
 * The weekly on-call rotation. The pager changes hands every week at
 * `rotation.handoff.day` + `rotation.handoff.time`, local time in the team's
 * time zone. Handoffs are computed with calendar arithmetic (luxon), so a
 * 09:00 handoff stays at 09:00 local across DST changes: that week lasts 167
 * or 169 hours.
 *
 * Numbering: the first handoff on or after `rotation.start` is handoff 0 and
 * gives the pager to primary[0] and backup[0]; before it, index 0 holds too.
 * Handoff k gives primary[k mod primary.length] and, independently,
 * backup[k mod backup.length], so lists of different lengths drift apart.
 */

export interface OnCall {
  primary: string;
  /** Absent when the team has no backup list. */
  backup?: string;
}

const WEEKDAY_NUMBER: Record<TeamConfig['rotation']['handoff']['day'], number> = {
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
};

const WEEK_MS = 7 * 24 * 3_600_000;

/**
 * Returns k → epoch ms of handoff k. A handoff time that does not exist on a
 * DST-gap day is moved forward by luxon (02:30 becomes 03:30), which is what a
 * wall clock does too.
 */
function handoffSchedule(team: TeamConfig): (k: number) => number {
  const signature = `${team.rotation.start} ${team.rotation.handoff.day} ${team.rotation.handoff.time} ${rotationZone(team)}`;
  const cached = scheduleMemo.get(team);
  if (cached?.signature === signature) return cached.handoff;
  const computed = computeHandoffs(team);
  const memo = new Map<number, number>();
  const handoff = (k: number): number => {
    let at = memo.get(k);
    if (at === undefined) {
      at = computed(k);
      if (memo.size < 5000) memo.set(k, at);
    }
    return at;
  };
  scheduleMemo.set(team, { signature, handoff });
  return handoff;
}

/**
 * Handoff instants are pure in (start, day, time, zone) and luxon's zone
 * arithmetic is costly, so each team's are remembered (schedules and
 * calendars ask for the same weeks many times).
 */
const scheduleMemo = new WeakMap<TeamConfig, { signature: string; handoff: (k: number) => number }>();

function computeHandoffs(team: TeamConfig): (k: number) => number {
  const { start, handoff } = team.rotation;
  const startDay = DateTime.fromISO(start, { zone: rotationZone(team) });
  if (!startDay.isValid) {
    throw new Error(
      `rotation start "${start}" in time zone "${rotationZone(team)}" is not a valid date (${startDay.invalidExplanation ?? startDay.invalidReason})`,
    );
  }
  const [hour, minute] = handoff.time.split(':').map(Number) as [number, number];
  const daysAhead = (WEEKDAY_NUMBER[handoff.day] - startDay.weekday + 7) % 7;
  const firstDay = startDay.plus({ days: daysAhead });
  return (k) => firstDay.plus({ weeks: k }).set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
}

/** The number of the last handoff at or before `at`; -1 before the first one. */
function lastHandoff(handoff: (k: number) => number, at: number): number {
  const first = handoff(0);
  if (at < first) return -1;
  // A DST change moves a handoff by at most an hour, so the estimate is off by at most one.
  let k = Math.floor((at - first) / WEEK_MS);
  while (handoff(k + 1) <= at) k++;
  while (k > 0 && handoff(k) > at) k--;
  return k;
}

/** The rotation index in force at `at` (0 before the first handoff). */
export function rotationIndex(team: TeamConfig, at: number): number {
  return Math.max(0, lastHandoff(handoffSchedule(team), at));
}

/** Who holds the primary and backup pager of `team` at instant `at` (epoch ms). */
export function onCall(team: TeamConfig, at: number): OnCall {
  const { primary, backup } = team.rotation;
  if (primary.length === 0) throw new Error('a rotation needs at least one primary');
  const k = rotationIndex(team, at);
  const result: OnCall = { primary: primary[k % primary.length] as string };
  if (backup.length > 0) result.backup = backup[k % backup.length] as string;
  return result;
}

/** The first handoff strictly after `at` (epoch ms): when the pager next changes hands. */
export function nextHandoff(team: TeamConfig, at: number): number {
  const handoff = handoffSchedule(team);
  return handoff(lastHandoff(handoff, at) + 1);
}

/** Who holds the pagers while rotation index `index` is in force (see the numbering above). */
export function holdersAt(team: TeamConfig, index: number): OnCall {
  const { primary, backup } = team.rotation;
  if (primary.length === 0) throw new Error('a rotation needs at least one primary');
  const k = Math.max(0, index);
  const result: OnCall = { primary: primary[k % primary.length] as string };
  if (backup.length > 0) result.backup = backup[k % backup.length] as string;
  return result;
}

export interface RotationTimeline {
  /** The rotation index in force at `from`. */
  index: number;
  /** Each handoff in (from, to], oldest first, with the index it starts. */
  handoffs: Array<{ at: number; index: number }>;
}

/**
 * The rotation over (from, to] in one pass: what the schedule resolver
 * (src/schedules) cuts its intervals at. At most `limit` handoffs, so a bad
 * range can never loop for long.
 */
export function rotationTimeline(team: TeamConfig, from: number, to: number, limit = 1000): RotationTimeline {
  const handoff = handoffSchedule(team);
  const last = lastHandoff(handoff, from);
  const handoffs: RotationTimeline['handoffs'] = [];
  for (let k = last + 1; handoffs.length < limit; k++) {
    const at = handoff(k);
    if (at > to) break;
    handoffs.push({ at, index: k });
  }
  return { index: Math.max(0, last), handoffs };
}

/** Every rotation handoff in (from, to], oldest first (epoch ms). */
export function handoffsBetween(team: TeamConfig, from: number, to: number, limit = 1000): number[] {
  return rotationTimeline(team, from, to, limit).handoffs.map((h) => h.at);
}
