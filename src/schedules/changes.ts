import { DomainError } from '../errors.js';
import type { Translate } from '../i18n/catalog.js';
import type { MusterConfig } from '../config/schema.js';
import { teamZone } from '../config/zones.js';
import type { ShiftChangeStore } from './ports.js';
import { segments, type Holding, type Schedule } from './resolve.js';
import {
  personName, requireMayActFor, requireMember, requireTeam, teamName, validInterval, type RuleContext,
} from './rules.js';
import { formatInterval, type Interval } from './time.js';
import { changeEnd, changeId, changeStart, OPEN_STATUSES, type Position, type ShiftChange, type ShiftLeg } from './types.js';

/**
 * The shift-change use cases: cover, take, swap (request, accept, decline),
 * cancel and list. Each validates, checks permission, then writes through the
 * store, whose insert refuses an overlap atomically (two replicas can never
 * both accept overlapping changes). They return the stored change and who must
 * be told; sending the notices is the caller's (the chat layer's) job.
 */

export interface ScheduleDeps {
  config: MusterConfig;
  store: ShiftChangeStore;
  now: () => number;
  t: Translate;
}

/** What a use case did: the change, and the people to tell (besides the actor). */
export interface ChangeOutcome {
  change: ShiftChange;
  /** People whose shift it changes or who must decide, without the actor. */
  notify: string[];
  /** For a take: the accepted or pending changes it overrides for its interval. */
  overlapped?: ShiftChange[];
}

const HORIZON_MS = 60 * 86_400_000;

const ctxOf = (deps: ScheduleDeps): RuleContext => ({ config: deps.config, now: deps.now(), t: deps.t });
const zoneOf = (deps: ScheduleDeps, team: string): string => teamZone(deps.config, team);

/** The accepted changes that can matter from `from` on: the input of every resolution. */
export async function loadSchedule(deps: { config: MusterConfig; store: Pick<ShiftChangeStore, 'list'> }, from: number): Promise<Schedule> {
  const changes = await deps.store.list({ endsAfter: from - HORIZON_MS, statuses: ['accepted'] });
  return { config: deps.config, changes };
}

/** "CHG-7 (cover by Bob, <interval>, accepted)": how a conflict is named in a refusal. */
export function describeChange(deps: Pick<ScheduleDeps, 'config' | 't'>, change: ShiftChange): string {
  const zone = teamZone(deps.config, change.team);
  const interval = formatInterval({ start: changeStart(change), end: changeEnd(change) }, zone, deps.config.locale, deps.t);
  return deps.t('schedule.changeLine', {
    id: change.id,
    kind: deps.t(`schedule.kind.${change.kind}`),
    person: change.legs.map((leg) => personName(deps.config, leg.person)).join(' ⇄ '),
    interval,
    status: deps.t(`schedule.status.${change.status}`),
  });
}

/** The refusal of a change that overlaps others, naming each of them. */
export function conflictError(deps: Pick<ScheduleDeps, 'config' | 't'>, conflicts: ShiftChange[]): DomainError {
  return new DomainError('conflict', deps.t('schedule.conflict', { changes: conflicts.map((c) => describeChange(deps, c)).join('; ') }));
}

async function insertOrRefuse(deps: ScheduleDeps, change: ShiftChange, allowOverlap = false): Promise<ShiftChange[]> {
  const result = await deps.store.insert(change, { allowOverlap });
  if (!result.ok) throw conflictError(deps, result.conflicts);
  return result.overlapped ?? [];
}

async function newChange(deps: ScheduleDeps, fields: Omit<ShiftChange, 'id' | 'version' | 'requestedAt'>): Promise<ShiftChange> {
  const number = await deps.store.nextChangeNumber();
  return { ...fields, id: changeId(number), requestedAt: deps.now(), version: 1 };
}

/** Who holds the position over the interval now (changes included), without `person`. */
function holdersOver(schedule: Schedule, team: string, position: Position, interval: Interval): Holding[] {
  return segments(schedule, team, position, interval.start, interval.end);
}

export interface CoverInput {
  actor: string;
  team: string;
  position: Position;
  /** Who will hold the shift. */
  person: string;
  interval: Interval;
  reason?: string;
}

/** `/oncall cover`: `person` holds team/position over the interval; accepted at once. */
export async function coverShift(deps: ScheduleDeps, input: CoverInput): Promise<ChangeOutcome> {
  const ctx = ctxOf(deps);
  requireTeam(ctx, input.team);
  requireMember(ctx, input.team, input.person);
  const interval = validInterval(ctx, deps.config.schedules, input.interval, zoneOf(deps, input.team));
  const schedule = await loadSchedule(deps, ctx.now);
  const holdings = holdersOver(schedule, input.team, input.position, interval);
  const replaced = [...new Set(holdings.map((h) => h.person))].filter((p) => p !== input.person);
  const held = holdings.reduce((sum, h) => sum + (h.end - h.start), 0);
  if (replaced.length === 0 && held === interval.end - interval.start) {
    throw new DomainError('usage', deps.t('schedule.alreadyHolds', { person: personName(deps.config, input.person), team: teamName(deps.config, input.team) }));
  }
  // Nobody holds a gap (a team without a backup list): only the cover, or a manager, may fill it.
  const owners = replaced.length > 0 ? replaced : [input.person];
  for (const owner of owners) requireMayActFor(ctx, input.actor, input.team, owner);
  const leg: ShiftLeg = { ...interval, person: input.person, ...(replaced.length === 1 ? { replaces: replaced[0] as string } : {}) };
  const change = await newChange(deps, {
    team: input.team, position: input.position, kind: 'cover', status: 'accepted', legs: [leg],
    requestedBy: input.actor, ...(input.reason ? { reason: input.reason } : {}),
  });
  await insertOrRefuse(deps, change);
  return { change, notify: [...new Set([input.person, ...replaced])].filter((p) => p !== input.actor) };
}

export interface TakeInput {
  actor: string;
  team: string;
  position: Position;
  /** Who takes it; default the actor. */
  person?: string;
  /** Default: until the current holding ends (the next handoff or change edge). */
  until?: number;
  reason?: string;
}

/**
 * `/oncall take`: from now, the taker holds the position; the only change that
 * may overlap others (it wins for its interval, and the reply names them).
 */
export async function takeShift(deps: ScheduleDeps, input: TakeInput): Promise<ChangeOutcome> {
  const ctx = ctxOf(deps);
  const person = input.person ?? input.actor;
  requireTeam(ctx, input.team);
  requireMember(ctx, input.team, person);
  requireMayActFor(ctx, input.actor, input.team, person);
  const schedule = await loadSchedule(deps, ctx.now);
  const current = holdersOver(schedule, input.team, input.position, { start: ctx.now, end: ctx.now + HORIZON_MS })[0];
  if (current?.person === person) {
    throw new DomainError('usage', deps.t('schedule.alreadyHolds', { person: personName(deps.config, person), team: teamName(deps.config, input.team) }));
  }
  const end = input.until ?? current?.end ?? ctx.now + deps.config.schedules.maxChange;
  const interval = validInterval(ctx, deps.config.schedules, { start: ctx.now, end }, zoneOf(deps, input.team));
  const leg: ShiftLeg = { ...interval, person, ...(current ? { replaces: current.person } : {}) };
  const change = await newChange(deps, {
    team: input.team, position: input.position, kind: 'take', status: 'accepted', legs: [leg],
    requestedBy: input.actor, ...(input.reason ? { reason: input.reason } : {}),
  });
  const overlapped = await insertOrRefuse(deps, change, true);
  const notify = [person, ...(current ? [current.person] : [])].filter((p) => p !== input.actor);
  return { change, notify: [...new Set(notify)], overlapped };
}
