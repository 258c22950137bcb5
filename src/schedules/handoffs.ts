import type { MusterConfig } from '../config/schema.js';
import { segments, type Holding, type Schedule } from './resolve.js';
import { OPEN_STATUSES, POSITIONS, type Position, type ShiftChange } from './types.js';
import { teamMembers } from './rules.js';

/**
 * Handoff moments (for shift notices) and changes that no longer fit the
 * config (for `muster validate`).
 */

export interface Handoff {
  team: string;
  position: Position;
  /** The instant the pager changes hands (epoch ms). */
  at: number;
  incoming: Holding;
  /** Absent when nobody held it before (a team without a backup list, covered for a while). */
  outgoing?: Holding;
  /** Deterministic and colon-free: use it as the timer / job id so each handoff fires once across replicas. */
  key: string;
}

/**
 * Every moment in (from, to] at which a position of a team changes hands,
 * oldest first: a rotation handoff, a cover starting or ending, a take. A
 * boundary where the same person keeps the pager is not a handoff.
 */
export function shiftHandoffs(schedule: Schedule, from: number, to: number, teams: string[] = Object.keys(schedule.config.teams)): Handoff[] {
  const out: Handoff[] = [];
  for (const team of teams) {
    for (const position of POSITIONS) {
      const held = segments(schedule, team, position, from, to + 1);
      held.forEach((incoming, i) => {
        if (incoming.start <= from || incoming.start > to) return;
        const before = held[i - 1];
        const outgoing = before && before.end === incoming.start ? before : undefined;
        if (outgoing?.person === incoming.person) return;
        out.push({ team, position, at: incoming.start, incoming, ...(outgoing ? { outgoing } : {}), key: `handoff-${team}-${position}-${incoming.start}` });
      });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The first handoff strictly after `after` (what a handoff timer schedules next), if any within `withinMs`. */
export function nextShiftHandoff(schedule: Schedule, after: number, withinMs = 8 * 86_400_000): Handoff | undefined {
  return shiftHandoffs(schedule, after, after + withinMs)[0];
}

export interface StaleChange {
  change: ShiftChange;
  /** team: the team is gone; person: the person is gone from `people`; member: not in the team any more. */
  problem: 'team' | 'person' | 'member';
  value: string;
}

/**
 * Pending and accepted changes not yet over that refer to a team or person the
 * config no longer has. They stay stored (nothing is silently dropped), but a
 * change naming a person who is gone is skipped when resolving who is on.
 */
export function staleChanges(config: MusterConfig, changes: readonly ShiftChange[], now: number): StaleChange[] {
  const out: StaleChange[] = [];
  for (const change of changes) {
    if (!OPEN_STATUSES.includes(change.status) || change.legs.every((leg) => leg.end <= now)) continue;
    if (!config.teams[change.team]) {
      out.push({ change, problem: 'team', value: change.team });
      continue;
    }
    const members = teamMembers(config, change.team);
    for (const person of new Set(change.legs.map((leg) => leg.person))) {
      if (!config.people[person]) out.push({ change, problem: 'person', value: person });
      else if (!members.includes(person)) out.push({ change, problem: 'member', value: person });
    }
  }
  return out;
}
