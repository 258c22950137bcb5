import type { MusterConfig, TeamConfig } from '../config/schema.js';
import { holdersAt, rotationTimeline, type RotationTimeline } from '../muster/rotation.js';
import type { ChangeKind, Position, ShiftChange, ShiftLeg } from './types.js';

/**
 * Who holds a team's primary or backup pager at an instant: the weekly
 * rotation from muster.yaml with accepted shift changes laid over it. Pure and
 * synchronous: load a `Schedule` once (see `loadSchedule`), then ask it as
 * often as needed (escalation, /oncall, calendars, handoff notices).
 *
 * Precedence where accepted changes overlap (only a take may overlap another
 * change): a take wins, then the most recently requested change.
 */

export interface Schedule {
  config: MusterConfig;
  /** Accepted changes (others are ignored); any team. */
  changes: readonly ShiftChange[];
}

export type HoldingSource =
  | { kind: 'rotation' }
  | { kind: 'override'; change: string; changeKind: ChangeKind; requestedBy: string; reason?: string; replaces?: string };

/** `person` holds `team`/`position` over [start, end) for the reason in `source`. */
export interface Holding {
  team: string;
  position: Position;
  person: string;
  start: number;
  end: number;
  source: HoldingSource;
}

/** How far around an instant `holderAt` looks for the edges of a holding (bounds are clipped to it). */
const LOOK_MS = 15 * 86_400_000;

/** The rotation holder at `at`, read off a timeline computed once for the whole range. */
function rotationHolder(team: TeamConfig, timeline: RotationTimeline, position: Position, at: number): string | undefined {
  let index = timeline.index;
  for (const handoff of timeline.handoffs) {
    if (handoff.at > at) break;
    index = handoff.index;
  }
  const holders = holdersAt(team, index);
  return position === 'primary' ? holders.primary : holders.backup;
}

function precedence(a: ShiftChange, b: ShiftChange): number {
  const take = Number(b.kind === 'take') - Number(a.kind === 'take');
  return take !== 0 ? take : b.requestedAt - a.requestedAt;
}

/** The accepted changes of one team and position whose people still exist, best first. */
function relevant(schedule: Schedule, team: string, position: Position): ShiftChange[] {
  return schedule.changes
    .filter((c) => c.status === 'accepted' && c.team === team && c.position === position)
    .filter((c) => c.legs.every((leg) => schedule.config.people[leg.person] !== undefined))
    .sort(precedence);
}

function overrideAt(changes: ShiftChange[], at: number): { change: ShiftChange; leg: ShiftLeg } | undefined {
  for (const change of changes) {
    const leg = change.legs.find((l) => l.start <= at && at < l.end);
    if (leg) return { change, leg };
  }
  return undefined;
}

interface Lookup {
  team: TeamConfig;
  timeline: RotationTimeline;
  position: Position;
  changes: ShiftChange[];
}

function holdingAt({ team, timeline, position, changes }: Lookup, at: number) {
  const override = overrideAt(changes, at);
  if (override) {
    const { change, leg } = override;
    const source: HoldingSource = {
      kind: 'override', change: change.id, changeKind: change.kind, requestedBy: change.requestedBy,
      ...(change.reason ? { reason: change.reason } : {}), ...(leg.replaces ? { replaces: leg.replaces } : {}),
    };
    return { person: leg.person, source };
  }
  const person = rotationHolder(team, timeline, position, at);
  return person === undefined ? undefined : { person, source: { kind: 'rotation' } as HoldingSource };
}

const sameHolding = (a: Holding, b: { person: string; source: HoldingSource }): boolean =>
  a.person === b.person &&
  a.source.kind === b.source.kind &&
  (a.source.kind === 'rotation' || (b.source.kind === 'override' && a.source.change === b.source.change));

/**
 * The holdings of `team`/`position` over [from, to), in order, cut at every
 * rotation handoff and change edge and merged where nothing changes hands.
 * Empty for an unknown team; gaps where a team has no backup list.
 */
export function segments(schedule: Schedule, teamId: string, position: Position, from: number, to: number): Holding[] {
  const team = schedule.config.teams[teamId];
  if (!team || to <= from) return [];
  const changes = relevant(schedule, teamId, position);
  const timeline = rotationTimeline(team, from, to);
  const lookup: Lookup = { team, timeline, position, changes };
  const cuts = new Set<number>([from, ...timeline.handoffs.map((h) => h.at)]);
  for (const change of changes) {
    for (const leg of change.legs) for (const edge of [leg.start, leg.end]) if (edge > from && edge < to) cuts.add(edge);
  }
  cuts.delete(to);
  const points = [...cuts].sort((a, b) => a - b);
  const out: Holding[] = [];
  points.forEach((start, i) => {
    const end = points[i + 1] ?? to;
    const held = holdingAt(lookup, start);
    const last = out[out.length - 1];
    if (!held) return;
    if (last && last.end === start && sameHolding(last, held)) last.end = end;
    else out.push({ team: teamId, position, start, end, ...held });
  });
  return out;
}

/**
 * Who holds `team`/`position` at `at`, with the reason (for the timeline and
 * escalation). Undefined for an unknown team or a backup the team lacks.
 * `start`/`end` are exact unless the holding spans more than 15 days either side.
 */
export function holderAt(schedule: Schedule, team: string, position: Position, at: number): Holding | undefined {
  return segments(schedule, team, position, at - LOOK_MS, at + LOOK_MS).find((h) => h.start <= at && at < h.end);
}

export interface PositionNow {
  position: Position;
  now?: Holding;
  /** The next holding with a different person (or the next change of reason). */
  next?: Holding;
}

export interface WhoIsOn {
  team: string;
  at: number;
  positions: PositionNow[];
}

/** Now and next for both positions of a team: the answer to `/oncall` and `/oncall at <time>`. */
export function whoIsOn(schedule: Schedule, team: string, at: number): WhoIsOn {
  const positions = (['primary', 'backup'] as const).map((position): PositionNow => {
    const ahead = segments(schedule, team, position, at - LOOK_MS, at + 4 * LOOK_MS);
    const index = ahead.findIndex((h) => h.start <= at && at < h.end);
    const now = index >= 0 ? ahead[index] : undefined;
    const next = now
      ? (ahead.slice(index + 1).find((h) => h.person !== now.person) ?? ahead[index + 1])
      : ahead.find((h) => h.start > at);
    return { position, ...(now ? { now } : {}), ...(next ? { next } : {}) };
  });
  return { team, at, positions };
}
