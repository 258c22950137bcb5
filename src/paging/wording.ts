/**
 * What each channel says, from the message catalogue: a voice script, a
 * short text, a push title and body, an email. A drill says DRILL on every
 * channel ("This is a drill" first on a call); a test says TEST. Adapters
 * take these words as they are and never add sentences of their own.
 * A plain notice (a shift starting) has a headline and a body only: it is
 * pushed, never texted or called, and asks nothing of the person.
 */
import type { Translate } from '../i18n/catalog.js';
import type { PageNotification, PlainNotice } from './port.js';

export interface Wording {
  /** Push title and email subject. */
  headline: string;
  /** Push body, SMS and email text (without the SMS ack instruction). */
  body: string;
  /** SMS: the body and how to acknowledge by reply. */
  sms: string;
  /** Voice: sentences spoken in order (the drill line first); the last is the ack prompt. */
  voice: string[];
  /** Email body: the body, then the ack link line when there is one. */
  email: string;
}

export function rolesText(t: Translate, roles: readonly string[]): string {
  if (roles.length <= 1) return roles[0] ?? '';
  return `${roles.slice(0, -1).join(', ')}${t('paging.roles.and')}${roles[roles.length - 1]}`;
}

function tagOf(t: Translate, n: PageNotification): string {
  if (n.test) return `${t('paging.testTag')} `;
  return n.drill ? `${t('paging.drillTag')} ` : '';
}

/**
 * The words for one notification. `phoneAck` says whether the phone can
 * acknowledge (Twilio callbacks reachable through MUSTER_PUBLIC_URL): when it
 * cannot, SMS and calls tell the person to acknowledge in chat. `method` is
 * the contact kind, named by a test notification; `ackUrl` the one-tap link
 * (ackLinkUrl), written into the email.
 */
export function wordNotification(t: Translate, n: PageNotification, options: { phoneAck: boolean; method: string; ackUrl?: string }): Wording {
  const { phoneAck } = options;
  const roles = rolesText(t, n.roles);
  const tag = tagOf(t, n);
  const headline = t('paging.headline', { tag, severity: n.severity, number: n.incidentNumber, title: n.title });
  if (n.test) {
    const text = t('paging.test.text', { method: options.method });
    return { headline: t('paging.test.title'), body: text, sms: text, voice: [t('paging.voice.test')], email: text };
  }
  const room = n.room.url ? `${n.room.name} ${n.room.url}` : n.room.name;
  const body = [headline, t('paging.pagedAs', { roles }), t('paging.room', { room })].join('\n');
  const sms = `${body}\n${t(phoneAck ? 'paging.sms.replyToAck' : 'paging.sms.ackInChat')}`;
  const voice = [
    ...(n.drill ? [t('paging.voice.drill')] : []),
    t('paging.voice.intro', { severity: n.severity, number: n.incidentNumber, title: n.title }),
    t('paging.voice.pagedAs', { roles }),
    t(phoneAck ? 'paging.voice.pressOne' : 'paging.voice.ackInChat'),
  ];
  const email = options.ackUrl ? `${body}\n\n${t('paging.ackLink', { url: options.ackUrl })}` : body;
  return { headline, body, sms, voice, email };
}

/** How many inherited incidents a push names; the rest are counted (the chat notice lists them all). */
export const NOTICE_INCIDENTS_SHOWN = 5;

/** The push words of a plain notice: the headline names team and position; the body the interval with its zone, and what is inherited. */
export function wordNotice(t: Translate, notice: PlainNotice): Pick<Wording, 'headline' | 'body'> {
  const { team, position } = notice;
  const from = notice.from ? t('paging.shift.from', { person: notice.from }) : '';
  const lines = [t('paging.shift.body', { team, position, interval: notice.interval, from })];
  const shown = notice.incidents.slice(0, NOTICE_INCIDENTS_SHOWN);
  if (shown.length === 0) lines.push(t('paging.shift.noIncidents', { team }));
  else {
    lines.push(t('paging.shift.inherit', { count: notice.incidents.length }));
    for (const incident of shown) lines.push(t('paging.shift.incident', { ...incident }));
    const more = notice.incidents.length - shown.length;
    if (more > 0) lines.push(t('paging.shift.more', { count: more }));
  }
  return { headline: t('paging.shift.title', { team, position }), body: lines.join('\n') };
}
