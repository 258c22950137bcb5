import { DomainError } from '../errors.js';
import { teamZone } from '../config/zones.js';
import { conflictError, loadSchedule, type ChangeOutcome, type ScheduleDeps } from './changes.js';
import { segments, type Holding } from './resolve.js';
import { isShiftManager, personName, requireMayActFor, requireMember, requireTeam, teamName, validInterval, type RuleContext } from './rules.js';
import { changeEnd, changeId, normaliseChangeId, OPEN_STATUSES, type Position, type ShiftChange } from './types.js';

/**
 * Swaps (request, accept, decline), cancelling any change, and listing.
 * A swap request holds both shifts while pending, so a second request for
 * either is refused with the first named; on accept both shifts change.
 */

const HORIZON_MS = 60 * 86_400_000;

const ctxOf = (deps: ScheduleDeps): RuleContext => ({ config: deps.config, now: deps.now(), t: deps.t });

export interface SwapInput {
  actor: string;
  team: string;
  position: Position;
  /** Whose shift is offered; default the actor. */
  requester?: string;
  /** Who is asked to trade. */
  counterpart: string;
  /** An instant inside (or before) the requester's shift to trade; default now. */
  at?: number;
}

/** The first holding of `person` by the rotation that has not ended at `from` and does not overlap `avoid`. */
function shiftOf(holdings: Holding[], person: string, from: number, avoid?: Holding): Holding | undefined {
  return holdings.find((h) => h.person === person && h.end > from && h.source.kind === 'rotation' && (!avoid || h.start >= avoid.end || h.end <= avoid.start));
}

export async function requestSwap(deps: ScheduleDeps, input: SwapInput): Promise<ChangeOutcome> {
  const ctx = ctxOf(deps);
  const requester = input.requester ?? input.actor;
  requireTeam(ctx, input.team);
  requireMember(ctx, input.team, requester);
  requireMember(ctx, input.team, input.counterpart);
  requireMayActFor(ctx, input.actor, input.team, requester);
  if (requester === input.counterpart) throw new DomainError('usage', deps.t('schedule.swapSelf'));
  const schedule = await loadSchedule(deps, ctx.now);
  const from = input.at ?? ctx.now;
  const holdings = segments(schedule, input.team, input.position, Math.min(from, ctx.now), ctx.now + HORIZON_MS);
  const mine = shiftOf(holdings, requester, from);
  const theirs = mine && shiftOf(holdings, input.counterpart, ctx.now, mine);
  if (!mine || !theirs) {
    const missing = mine ? input.counterpart : requester;
    throw new DomainError('usage', deps.t('schedule.noShift', { person: personName(deps.config, missing), team: teamName(deps.config, input.team) }));
  }
  const zone = teamZone(deps.config, input.team);
  const a = validInterval(ctx, deps.config.schedules, mine, zone);
  const b = validInterval(ctx, deps.config.schedules, theirs, zone);
  const change: ShiftChange = {
    id: changeId(await deps.store.nextChangeNumber()), team: input.team, position: input.position, kind: 'swap', status: 'pending',
    legs: [{ ...a, person: input.counterpart, replaces: requester }, { ...b, person: requester, replaces: input.counterpart }],
    requestedBy: input.actor, requestedAt: ctx.now, counterpart: input.counterpart, version: 1,
  };
  const result = await deps.store.insert(change);
  if (!result.ok) throw conflictError(deps, result.conflicts);
  return { change, notify: [requester, input.counterpart].filter((p) => p !== input.actor) };
}

async function load(deps: ScheduleDeps, idText: string): Promise<ShiftChange> {
  const id = normaliseChangeId(idText);
  const change = id ? await deps.store.get(id) : undefined;
  if (!change) throw new DomainError('not_found', deps.t('schedule.unknownChange', { id: idText }));
  return change;
}

async function save(deps: ScheduleDeps, change: ShiftChange): Promise<ShiftChange> {
  if (!(await deps.store.update(change))) throw new DomainError('conflict', deps.t('schedule.changedMeanwhile', { id: change.id }));
  return change;
}

/** Accept or decline a pending swap: its counterpart, a team manager or the duty manager. */
export async function decideSwap(deps: ScheduleDeps, input: { actor: string; id: string; accept: boolean }): Promise<ChangeOutcome> {
  const change = await load(deps, input.id);
  const ctx = ctxOf(deps);
  if (change.kind !== 'swap' || change.status !== 'pending') {
    throw new DomainError('conflict', deps.t('schedule.notPending', { id: change.id, status: deps.t(`schedule.status.${change.status}`) }));
  }
  requireMayActFor(ctx, input.actor, change.team, change.counterpart as string);
  if (input.accept && change.legs.some((leg) => leg.end <= ctx.now)) {
    throw new DomainError('conflict', deps.t('schedule.swapExpired', { id: change.id }));
  }
  const decided: ShiftChange = {
    ...change, status: input.accept ? 'accepted' : 'declined', decidedBy: input.actor, decidedAt: ctx.now, version: change.version + 1,
  };
  await save(deps, decided);
  const people = [change.requestedBy, ...change.legs.map((leg) => leg.person)];
  return { change: decided, notify: [...new Set(people)].filter((p) => p !== input.actor) };
}

/** `/oncall cancel <id>`: who asked, anyone whose shift it changes, a team manager or the duty manager. */
export async function cancelChange(deps: ScheduleDeps, input: { actor: string; id: string }): Promise<ChangeOutcome> {
  const change = await load(deps, input.id);
  const ctx = ctxOf(deps);
  const involved = new Set([change.requestedBy, ...change.legs.flatMap((leg) => [leg.person, ...(leg.replaces ? [leg.replaces] : [])])]);
  if (!involved.has(input.actor) && !isShiftManager(deps.config, input.actor, change.team)) {
    requireMayActFor(ctx, input.actor, change.team, change.requestedBy);
  }
  if (!OPEN_STATUSES.includes(change.status)) {
    throw new DomainError('conflict', deps.t('schedule.notOpen', { id: change.id, status: deps.t(`schedule.status.${change.status}`) }));
  }
  if (changeEnd(change) <= ctx.now) throw new DomainError('conflict', deps.t('schedule.alreadyOver', { id: change.id }));
  const cancelled: ShiftChange = { ...change, status: 'cancelled', decidedBy: input.actor, decidedAt: ctx.now, version: change.version + 1 };
  await save(deps, cancelled);
  return { change: cancelled, notify: [...involved].filter((p) => p !== input.actor) };
}

/** `/oncall changes [team]`: pending and accepted changes not yet over, oldest first. */
export async function listChanges(deps: ScheduleDeps, team?: string): Promise<ShiftChange[]> {
  if (team !== undefined) requireTeam(ctxOf(deps), team);
  return deps.store.list({ ...(team ? { team } : {}), endsAfter: deps.now(), statuses: OPEN_STATUSES });
}
