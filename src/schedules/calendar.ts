import ical, { ICalEventTransparency } from 'ical-generator';
import type { Translate } from '../i18n/catalog.js';
import { explainHolding } from './explain.js';
import { segments, type Holding, type Schedule } from './resolve.js';
import { personName, teamName } from './rules.js';
import type { Interval } from './time.js';
import { POSITIONS } from './types.js';

/**
 * The read-only iCalendar feed of a team (both positions) or a person (every
 * shift they hold in any team), generated with ical-generator. A pure
 * function of the schedule and the range: the HTTP route (adapters/http/
 * calendar.ts) loads the schedule and serves the text. Events carry UTC
 * instants, so every calendar app shows them in its own zone, exactly.
 */

export type FeedSubject = { kind: 'team'; id: string } | { kind: 'person'; id: string };

function holdingsOf(schedule: Schedule, subject: FeedSubject, range: Interval): Holding[] {
  const teams = subject.kind === 'team' ? [subject.id] : Object.keys(schedule.config.teams);
  const all = teams.flatMap((team) => POSITIONS.flatMap((position) => segments(schedule, team, position, range.start, range.end)));
  return subject.kind === 'team' ? all : all.filter((h) => h.person === subject.id);
}

function summary(schedule: Schedule, t: Translate, h: Holding): string {
  const base = {
    team: teamName(schedule.config, h.team),
    position: t(`schedule.position.${h.position}`),
    person: personName(schedule.config, h.person),
  };
  if (h.source.kind === 'rotation') return t('calendar.event', base);
  return t('calendar.eventOverride', { ...base, id: h.source.change, kind: t(`schedule.kind.${h.source.changeKind}`) });
}

/** ICS text of the subject's shifts overlapping `range`; `now` stamps the events (DTSTAMP). */
export function calendarFeed(schedule: Schedule, subject: FeedSubject, range: Interval, t: Translate, now: number): string {
  const name = subject.kind === 'team'
    ? t('calendar.name.team', { team: teamName(schedule.config, subject.id) })
    : t('calendar.name.person', { person: personName(schedule.config, subject.id) });
  const calendar = ical({ name, description: t('calendar.description'), prodId: { company: 'muster', product: 'oncall', language: 'EN' }, ttl: 900 });
  for (const h of holdingsOf(schedule, subject, range)) {
    calendar.createEvent({
      id: `${h.team}-${h.position}-${h.start}-${h.person}@muster`,
      start: new Date(h.start),
      end: new Date(h.end),
      stamp: new Date(now),
      summary: summary(schedule, t, h),
      description: explainHolding(schedule.config, t, h),
      transparency: ICalEventTransparency.TRANSPARENT,
    });
  }
  return calendar.toString();
}
