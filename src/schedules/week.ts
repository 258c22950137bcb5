import { instantText, zoneOf, type Words } from './messages.js';
import { segments, type Schedule } from './resolve.js';
import { personName, teamName } from './rules.js';
import { POSITIONS } from './types.js';

/**
 * The next days of every team's pagers, for the dashboard: one row per
 * holding (rotation or change), times in the team's zone, every word from
 * the catalogue. The view escapes the strings.
 */

export interface WeekRow {
  position: string;
  person: string;
  from: string;
  until: string;
  /** "cover CHG-12", or the catalogue's word for the rotation. */
  source: string;
  override: boolean;
}

export interface TeamWeek {
  team: string;
  zone: string;
  rows: WeekRow[];
}

const DAY_MS = 86_400_000;

export function weekAhead(schedule: Schedule, words: Words, from: number, days = 7): TeamWeek[] {
  const to = from + days * DAY_MS;
  return Object.keys(schedule.config.teams).map((team) => ({
    team: teamName(words.config, team),
    zone: zoneOf(words.config, team),
    rows: POSITIONS.flatMap((position) => segments(schedule, team, position, from, to))
      .sort((a, b) => a.start - b.start || a.position.localeCompare(b.position))
      .map((holding): WeekRow => ({
        position: words.t(`schedule.position.${holding.position}`),
        person: personName(words.config, holding.person),
        from: instantText(words, team, holding.start),
        until: instantText(words, team, holding.end),
        source: holding.source.kind === 'rotation'
          ? words.t('dashboard.oncall.rotation')
          : `${words.t(`schedule.kind.${holding.source.changeKind}`)} ${holding.source.change}`,
        override: holding.source.kind === 'override',
      })),
  }));
}
