import type { MusterConfig } from '../config/schema.js';
import { teamZone } from '../config/zones.js';
import type { Translate } from '../i18n/catalog.js';
import type { Incident } from '../incidents/types.js';
import type { ShiftNotice } from '../paging/port.js';
import type { Message } from '../ports.js';
import type { Handoff } from './handoffs.js';
import type { Holding } from './resolve.js';
import { personName, teamName } from './rules.js';
import { formatInstant, formatInterval, type Interval } from './time.js';
import type { ShiftChange, ShiftLeg } from './types.js';

/**
 * The words of shift changes and handoffs: replies, the notices the people
 * involved get, and the shift notices at each handoff. Every sentence comes
 * from the message catalogue; times are shown in the team's zone.
 */

export interface Words {
  config: MusterConfig;
  t: Translate;
}

export const zoneOf = teamZone;

export function intervalText(words: Words, team: string, interval: Interval): string {
  return formatInterval(interval, zoneOf(words.config, team), words.config.locale, words.t);
}

export function instantText(words: Words, team: string, at: number): string {
  return formatInstant(at, zoneOf(words.config, team), words.config.locale);
}

const reasonText = (words: Words, reason: string | undefined): string => (reason ? words.t('oncall.reason', { reason }) : '');

function base(words: Words, change: ShiftChange) {
  return {
    id: change.id,
    team: teamName(words.config, change.team),
    position: words.t(`schedule.position.${change.position}`),
  };
}

function replacing(words: Words, leg: ShiftLeg): string {
  return leg.replaces && leg.replaces !== leg.person ? words.t('oncall.replacing', { person: personName(words.config, leg.replaces) }) : '';
}

/** "Bob holds …, <interval> in place of Ann" for a cover or take; both legs for a swap. */
export function changeSummary(words: Words, change: ShiftChange): string {
  const params = base(words, change);
  if (change.kind === 'swap') {
    const [first, second] = change.legs as [ShiftLeg, ShiftLeg];
    return words.t('oncall.summary.swap', {
      ...params,
      a: personName(words.config, first.person), intervalA: intervalText(words, change.team, first),
      b: personName(words.config, second.person), intervalB: intervalText(words, change.team, second),
    });
  }
  const leg = change.legs[0] as ShiftLeg;
  return words.t('oncall.summary.hold', {
    ...params, person: personName(words.config, leg.person), interval: intervalText(words, change.team, leg), replacing: replacing(words, leg),
  });
}

export type ChangeEvent = 'cover' | 'take' | 'swapAsked' | 'accepted' | 'declined' | 'cancelled';

/** The notice someone involved gets when `actor` makes, decides or cancels a change. */
export function changeNotice(words: Words, change: ShiftChange, actor: string, event: ChangeEvent, recipient: string): Message {
  const t = words.t;
  const params = { ...base(words, change), actor: personName(words.config, actor), summary: changeSummary(words, change), reason: reasonText(words, change.reason) };
  const title = t('oncall.notice.title', { id: change.id, team: params.team });
  if (event === 'swapAsked' && recipient === change.counterpart) {
    // Leg 0 is the requester's shift, given to the person asked; leg 1 theirs, given to the requester.
    const [offered, wanted] = change.legs as [ShiftLeg, ShiftLeg];
    return {
      title,
      text: t('oncall.notice.swapAsk', {
        ...params,
        requester: personName(words.config, wanted.person),
        offered: intervalText(words, change.team, offered),
        wanted: intervalText(words, change.team, wanted),
      }),
      buttons: [
        { label: t('oncall.button.accept'), command: `/oncall accept ${change.id}`, style: 'primary' },
        { label: t('oncall.button.decline'), command: `/oncall decline ${change.id}`, style: 'danger' },
      ],
      tone: 'alert',
    };
  }
  return { title, text: t(`oncall.notice.${event}`, params), tone: event === 'declined' || event === 'cancelled' ? 'warning' : 'info' };
}

/** One open incident a shift hands over, as a field. */
function incidentField(t: Translate, incident: Incident) {
  return { label: `${incident.id} [${incident.severity}]`, value: t('oncall.handoff.incident', { title: incident.title, status: t(`status.${incident.status}`), room: incident.roomName }) };
}

/** The incoming holder's shift notice: team, position, the interval with its zone, and what they inherit. */
export function incomingNotice(words: Words, handoff: Handoff, holding: Holding, incidents: Incident[]): Message {
  const t = words.t;
  const params = {
    team: teamName(words.config, handoff.team),
    position: t(`schedule.position.${handoff.position}`),
    interval: intervalText(words, handoff.team, holding),
    source: holding.source.kind === 'override' ? t('oncall.handoff.by', { id: holding.source.change, kind: t(`schedule.kind.${holding.source.changeKind}`) }) : '',
    from: handoff.outgoing ? t('oncall.handoff.from', { person: personName(words.config, handoff.outgoing.person) }) : '',
  };
  return {
    title: t('oncall.handoff.inTitle', params),
    text: `${t('oncall.handoff.in', params)}\n${incidents.length > 0 ? t('oncall.handoff.inherit', { count: incidents.length }) : t('oncall.handoff.noIncidents', params)}`,
    fields: incidents.slice(0, 10).map((incident) => incidentField(t, incident)),
    tone: incidents.length > 0 ? 'alert' : 'info',
  };
}

/** The outgoing holder's short handoff note. */
export function outgoingNotice(words: Words, handoff: Handoff, incidents: Incident[]): Message {
  const t = words.t;
  const params = {
    team: teamName(words.config, handoff.team),
    position: t(`schedule.position.${handoff.position}`),
    person: personName(words.config, handoff.incoming.person),
    at: instantText(words, handoff.team, handoff.at),
    zone: zoneOf(words.config, handoff.team),
    count: incidents.length,
  };
  return { text: t(incidents.length > 0 ? 'oncall.handoff.outIncidents' : 'oncall.handoff.out', params), tone: 'info' };
}

/** The incoming holder's shift notice as a push (src/paging/wording.ts words it): names resolved, the interval in the team's zone. */
export function incomingPush(words: Words, handoff: Handoff, holding: Holding, incidents: Incident[]): ShiftNotice {
  return {
    kind: 'shift',
    person: holding.person,
    team: teamName(words.config, handoff.team),
    position: words.t(`schedule.position.${handoff.position}`),
    interval: intervalText(words, handoff.team, holding),
    ...(handoff.outgoing ? { from: personName(words.config, handoff.outgoing.person) } : {}),
    incidents: incidents.map((incident) => ({ number: incident.number, severity: incident.severity, title: incident.title })),
  };
}
