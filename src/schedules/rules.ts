import { DomainError } from '../errors.js';
import type { Translate } from '../i18n/catalog.js';
import type { MusterConfig } from '../config/schema.js';
import type { Interval } from './time.js';
import { formatInterval } from './time.js';
import type { SchedulesConfig } from './config.js';

/**
 * Who may change whose shift, and what a valid interval is. Every refusal is
 * a DomainError whose message says what to fix.
 *
 * Permission: only the person whose shift it is, the team's manager
 * (`teams.<id>.manager`) or the duty manager (`dutyManager.person`, or anyone
 * in `dutyManager.team`'s primary rotation, as for resolving incidents).
 */

export interface RuleContext {
  config: MusterConfig;
  now: number;
  t: Translate;
}

export const personName = (config: MusterConfig, person: string): string => config.people[person]?.name ?? person;

export function teamName(config: MusterConfig, team: string): string {
  return config.teams[team]?.name ?? team;
}

/** Everyone in a team: both rotation lists and the manager. */
export function teamMembers(config: MusterConfig, team: string): string[] {
  const t = config.teams[team];
  if (!t) return [];
  return [...new Set([...t.rotation.primary, ...t.rotation.backup, t.manager])];
}

export function isDutyManager(config: MusterConfig, person: string): boolean {
  const duty = config.dutyManager;
  if ('person' in duty) return duty.person === person;
  return config.teams[duty.team]?.rotation.primary.includes(person) === true;
}

/** A manager of the team or the duty manager: may change anyone's shift in it. */
export function isShiftManager(config: MusterConfig, actor: string, team: string): boolean {
  return config.teams[team]?.manager === actor || isDutyManager(config, actor);
}

export function requireTeam(ctx: RuleContext, team: string): void {
  if (ctx.config.teams[team]) return;
  throw new DomainError('usage', ctx.t('error.unknownTeam', { value: team, allowed: Object.keys(ctx.config.teams).join(', ') }));
}

export function requireMember(ctx: RuleContext, team: string, person: string): void {
  if (teamMembers(ctx.config, team).includes(person)) return;
  const members = teamMembers(ctx.config, team).map((p) => `${personName(ctx.config, p)} (${p})`).join(', ');
  throw new DomainError('usage', ctx.t('schedule.notInTeam', { person: personName(ctx.config, person), team: teamName(ctx.config, team), members }));
}

/** The actor may change `owner`'s shift in `team`; else a forbidden error naming who may. */
export function requireMayActFor(ctx: RuleContext, actor: string, team: string, owner: string): void {
  if (actor === owner || isShiftManager(ctx.config, actor, team)) return;
  const manager = ctx.config.teams[team]?.manager ?? '';
  throw new DomainError('forbidden', ctx.t('schedule.forbidden', {
    person: personName(ctx.config, owner), team: teamName(ctx.config, team), manager: personName(ctx.config, manager),
  }));
}

function humanDuration(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours % 24 === 0 ? `${hours / 24}d` : `${hours}h`;
}

/**
 * Checks an interval asked for in `zone` and returns it with a start in the
 * past moved to now (a cover "tonight" asked at 18:05 starts at 18:05).
 */
export function validInterval(ctx: RuleContext, limits: SchedulesConfig, interval: Interval, zone: string): Interval {
  const shown = () => formatInterval(interval, zone, ctx.config.locale, ctx.t);
  if (interval.end <= interval.start) throw new DomainError('usage', ctx.t('schedule.endBeforeStart', { interval: shown() }));
  if (interval.end <= ctx.now) throw new DomainError('usage', ctx.t('schedule.inPast', { interval: shown() }));
  const start = Math.max(interval.start, ctx.now);
  if (interval.end - start > limits.maxChange) {
    throw new DomainError('usage', ctx.t('schedule.tooLong', { interval: shown(), max: humanDuration(limits.maxChange) }));
  }
  if (start - ctx.now > limits.maxAhead) {
    throw new DomainError('usage', ctx.t('schedule.tooFarAhead', { interval: shown(), max: humanDuration(limits.maxAhead) }));
  }
  return { start, end: interval.end };
}
