import { DomainError } from '../errors.js';
import type { Caller } from '../kernel/caller.js';
import type { Reply } from '../kernel/request.js';
import { describeChange, type ChangeOutcome } from '../schedules/changes.js';
import { changeSummary } from '../schedules/messages.js';
import { personName, teamName } from '../schedules/rules.js';
import type { ShiftService } from '../schedules/service.js';
import type { CommandDeps } from './deps.js';
import { OncallArgs, requirePerson } from './oncall-args.js';
import { words } from './oncall-show.js';

/**
 * The write side of /oncall: cover, swap (and its accept / decline buttons),
 * take and cancel. The grammar reads the words; the schedule use cases check
 * permission, the interval and overlaps, and tell everyone involved.
 */

const done = (text: string): Reply => ({ visibility: 'ephemeral', message: { text, tone: 'success' } });

function service(deps: CommandDeps): ShiftService {
  if (!deps.shifts) throw new DomainError('degraded', deps.present.t('oncall.noStore'));
  return deps.shifts;
}

function told(deps: CommandDeps, outcome: ChangeOutcome): string {
  if (outcome.notify.length === 0) return '';
  return deps.present.t('oncall.reply.told', { people: outcome.notify.map((person) => personName(deps.config, person)).join(', ') });
}

/** `/oncall cover <team> [primary|backup] <person|me> <from> <until> [reason]` */
export async function cover(text: string, caller: Caller, deps: CommandDeps): Promise<Reply> {
  const actor = requirePerson(deps, caller);
  const args = new OncallArgs(text, deps, 'oncall.usage.cover');
  const team = args.team();
  const position = args.position();
  const person = args.person(caller, team);
  const { interval, rest } = args.interval(team);
  const outcome = await service(deps).cover({ actor, team, position, person, interval, ...(rest ? { reason: rest } : {}) });
  return done(deps.present.t('oncall.reply.done', { id: outcome.change.id, summary: changeSummary(words(deps), outcome.change), told: told(deps, outcome) }));
}

/** `/oncall take <team> [primary|backup] [until] [reason] [for=<person>]` (reason="…" works too, as Discord's options write it) */
export async function take(text: string, caller: Caller, deps: CommandDeps): Promise<Reply> {
  const actor = requirePerson(deps, caller);
  const args = new OncallArgs(text, deps, 'oncall.usage.take', true);
  const team = args.team();
  const position = args.position();
  const forWhom = args.options.get('for');
  const person = forWhom ? args.resolvePerson(forWhom, caller, team) : actor;
  const until = args.until(team);
  const reason = args.options.get('reason') || until?.rest;
  const outcome = await service(deps).take({
    actor, team, position, person, ...(until ? { until: until.end } : {}), ...(reason ? { reason } : {}),
  });
  const t = deps.present.t;
  const overlapped = outcome.overlapped ?? [];
  const overrides = overlapped.length > 0 ? t('oncall.reply.overrides', { changes: overlapped.map((change) => describeChange(words(deps), change)).join('; ') }) : '';
  return done(`${t('oncall.reply.done', { id: outcome.change.id, summary: changeSummary(words(deps), outcome.change), told: told(deps, outcome) })}${overrides}`);
}

/** `/oncall swap <team> [primary|backup] <person> [shift] [for=<person>]`: [shift] is a moment inside the shift to offer. */
export async function swap(text: string, caller: Caller, deps: CommandDeps): Promise<Reply> {
  const actor = requirePerson(deps, caller);
  const args = new OncallArgs(text, deps, 'oncall.usage.swap', true);
  const team = args.team();
  const position = args.position();
  const counterpart = args.person(caller, team);
  const forWhom = args.options.get('for');
  const requester = forWhom ? args.resolvePerson(forWhom, caller, team) : actor;
  const at = args.empty ? undefined : args.moment(team, 'oncall.missingMoment');
  const outcome = await service(deps).swap({ actor, team, position, requester, counterpart, ...(at !== undefined ? { at } : {}) });
  return done(deps.present.t('oncall.reply.swapAsked', {
    id: outcome.change.id,
    person: personName(deps.config, counterpart),
    team: teamName(deps.config, team),
    summary: changeSummary(words(deps), outcome.change),
    told: told(deps, outcome),
  }));
}

/** `/oncall accept <id>` and `/oncall decline <id>`: what the swap buttons send. */
export function decide(accept: boolean) {
  return async (text: string, caller: Caller, deps: CommandDeps): Promise<Reply> => {
    const actor = requirePerson(deps, caller);
    const args = new OncallArgs(text, deps, 'oncall.usage.decide');
    const id = args.id();
    args.done();
    const outcome = await service(deps).decide({ actor, id, accept });
    const key = accept ? 'oncall.reply.accepted' : 'oncall.reply.declined';
    return done(deps.present.t(key, { id: outcome.change.id, summary: changeSummary(words(deps), outcome.change), told: told(deps, outcome) }));
  };
}

/** `/oncall cancel <id>` */
export async function cancel(text: string, caller: Caller, deps: CommandDeps): Promise<Reply> {
  const actor = requirePerson(deps, caller);
  const args = new OncallArgs(text, deps, 'oncall.usage.cancel');
  const id = args.id();
  args.done();
  const outcome = await service(deps).cancel({ actor, id });
  return done(deps.present.t('oncall.reply.cancelled', { id: outcome.change.id, summary: changeSummary(words(deps), outcome.change), told: told(deps, outcome) }));
}
