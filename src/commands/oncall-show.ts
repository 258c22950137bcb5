import type { Caller } from '../kernel/caller.js';
import type { Field } from '../ports.js';
import type { Reply } from '../kernel/request.js';
import { changeSummary, instantText, zoneOf } from '../schedules/messages.js';
import { whoIsOn, type Holding, type PositionNow, type WhoIsOn } from '../schedules/resolve.js';
import { personName, teamName } from '../schedules/rules.js';
import { formatInstant } from '../schedules/time.js';
import type { CommandDeps } from './deps.js';
import { OncallArgs } from './oncall-args.js';

/**
 * The read side of /oncall: who is on now and next (`/oncall [team]`), at any
 * moment (`/oncall at <time> [team]`), and the open changes
 * (`/oncall changes [team]`). Overrides are marked with their change id.
 */

export const words = (deps: CommandDeps) => ({ config: deps.config, t: deps.present.t });

async function answers(deps: CommandDeps, teams: string[], at: number): Promise<WhoIsOn[]> {
  if (deps.shifts) return deps.shifts.whoIsOn(teams, at);
  const schedule = { config: deps.config, changes: [] };
  return teams.map((team) => whoIsOn(schedule, team, at));
}

function mark(deps: CommandDeps, holding: Holding): string {
  const source = holding.source;
  if (source.kind === 'rotation') return '';
  return deps.present.t('oncall.show.override', { id: source.change, kind: deps.present.t(`schedule.kind.${source.changeKind}`) });
}

/** whoIsOn looks 60 days ahead: a holding that reaches that far has no handoff in sight (a one-person rotation). */
const SIGHT_MS = 59 * 86_400_000;

function positionLine(deps: CommandDeps, team: string, entry: PositionNow, at: number): string {
  const t = deps.present.t;
  const position = t(`schedule.position.${entry.position}`);
  const held = entry.now;
  const params = held ? { position, person: personName(deps.config, held.person), mark: mark(deps, held), until: instantText(words(deps), team, held.end) } : undefined;
  const now = !held || !params
    ? t('oncall.show.nobody', { position })
    : t(held.end - at > SIGHT_MS ? 'oncall.show.nowOpen' : 'oncall.show.now', params);
  const next = entry.next
    ? t('oncall.show.next', { person: personName(deps.config, entry.next.person), mark: mark(deps, entry.next), from: instantText(words(deps), team, entry.next.start) })
    : '';
  return next ? `${now}\n  ${next}` : now;
}

function teamField(deps: CommandDeps, answer: WhoIsOn): Field {
  return {
    label: `${teamName(deps.config, answer.team)} · ${zoneOf(deps.config, answer.team)}`,
    value: answer.positions.map((entry) => positionLine(deps, answer.team, entry, answer.at)).join('\n'),
  };
}

/** `/oncall [team]`: now and next, every team or one. */
export async function showNow(text: string, _caller: Caller, deps: CommandDeps): Promise<Reply> {
  const args = new OncallArgs(text, deps, 'usage.oncall');
  const teams = args.empty ? Object.keys(deps.config.teams) : [args.team()];
  args.done();
  const fields = (await answers(deps, teams, deps.now())).map((answer) => teamField(deps, answer));
  return { visibility: 'ephemeral', message: { title: deps.present.t('oncall.show.title'), text: '', fields } };
}

/** `/oncall at <time> [team]`: the time is read in the team's zone (the config's without a team). */
export async function showAt(text: string, _caller: Caller, deps: CommandDeps): Promise<Reply> {
  const args = new OncallArgs(text, deps, 'oncall.usage.at');
  const team = args.popTrailingTeam();
  const at = args.moment(team, 'oncall.missingMoment');
  const zone = team ? zoneOf(deps.config, team) : deps.config.timeZone;
  const fields = (await answers(deps, team ? [team] : Object.keys(deps.config.teams), at)).map((answer) => teamField(deps, answer));
  const when = `${formatInstant(at, zone, deps.config.locale)} (${zone})`;
  return { visibility: 'ephemeral', message: { title: deps.present.t('oncall.show.titleAt', { time: when }), text: '', fields } };
}

/** `/oncall changes [team]`: pending and accepted changes not yet over, with who asked, when and why. */
export async function showChanges(text: string, _caller: Caller, deps: CommandDeps): Promise<Reply> {
  const t = deps.present.t;
  const args = new OncallArgs(text, deps, 'oncall.usage.changes');
  const team = args.empty ? undefined : args.team();
  args.done();
  const changes = deps.shifts ? await deps.shifts.list(team) : [];
  const where = team ? teamName(deps.config, team) : t('oncall.changes.anyTeam');
  if (changes.length === 0) return { visibility: 'ephemeral', message: { text: t('oncall.changes.none', { team: where }) } };
  const fields = changes.slice(0, 25).map((change) => ({
    label: t('oncall.changes.label', { id: change.id, kind: t(`schedule.kind.${change.kind}`), status: t(`schedule.status.${change.status}`) }),
    value: t('oncall.changes.value', {
      summary: changeSummary(words(deps), change),
      by: personName(deps.config, change.requestedBy),
      when: instantText(words(deps), change.team, change.requestedAt),
      reason: change.reason ? t('oncall.reason', { reason: change.reason }) : '',
    }),
  }));
  const more = changes.length > fields.length ? t('oncall.changes.more', { count: changes.length - fields.length }) : '';
  return { visibility: 'ephemeral', message: { title: t('oncall.changes.title', { team: where }), text: more, fields } };
}
