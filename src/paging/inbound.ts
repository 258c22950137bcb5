/**
 * What the core does with answers from providers: acknowledgements from a
 * phone (a keypress, an SMS reply, a one-tap link, an ack in PagerDuty) and
 * delivery receipts (status callbacks). The HTTP routes
 * (adapters/http/paging-hooks.ts) verify the provider's signature first and
 * then call these; nothing here trusts a request it is handed beyond that.
 *
 * Every acknowledgement goes through `onAck`, which the muster connects to its
 * ack use case (fenced by the slot epochs in the fence: a superseded page
 * acks nothing). Refusals change nothing and are logged at warn, never with
 * the token.
 */
import type { Incident, PersonId } from '../incidents/types.js';
import type { Logger } from '../logger.js';
import type { IncidentStore } from '../ports.js';
import type { MessageKey } from '../i18n/catalog.js';
import type { AckTokens, OnceLedger } from './ack-links.js';
import type { PageFence, ProviderContactKind, ProviderName } from './port.js';

export type PhoneAckVia = 'voice' | 'sms' | 'link' | 'pagerduty';

/** An acknowledgement from outside chat: this person takes these roles of this incident, at these epochs. */
export interface PhoneAck extends PageFence {
  via: PhoneAckVia;
}

/**
 * acked: the person now holds at least one of the roles; already: they held
 * them before; stale: the page is no longer wanted (someone else acked,
 * a later epoch, the incident resolved) and nothing changed.
 */
export type PhoneAckOutcome = 'acked' | 'already' | 'stale';

/** A provider's word on one message or call it accepted earlier. */
export interface DeliveryStatus {
  provider: ProviderName;
  kind: ProviderContactKind;
  /** The receipt's messageId (Twilio MessageSid or CallSid). */
  messageId: string;
  /** delivered: reached the phone (or the call was answered); failed: will not (move to the next method now); progress: still on its way. */
  state: 'delivered' | 'failed' | 'progress';
  /** The provider's own status word (delivered, undelivered, no-answer, busy…). */
  detail: string;
  /** The provider's error code, when it gave one. */
  errorCode?: string;
}

/** A page still open for a person: what an SMS `1` or a PagerDuty ack acknowledges. */
export interface OpenPage extends PageFence {
  incidentNumber: number;
}

export interface InboundPaging {
  /** Undefined when MUSTER_PAGING_KEY or MUSTER_PUBLIC_URL is missing: links and keypresses are off. */
  tokens?: AckTokens;
  ledger: OnceLedger;
  onAck(ack: PhoneAck): Promise<PhoneAckOutcome>;
  onStatus(status: DeliveryStatus): Promise<void>;
  /** Pages still open for the person (see openPagesIn). */
  openPages(person: PersonId): Promise<OpenPage[]>;
  personByPhone(phone: string): PersonId | undefined;
  logger: Logger;
}

/** What the routes tell the person (an SMS reply, the words after a keypress, the link page). */
export interface InboundAnswer {
  outcome: PhoneAckOutcome | 'refused' | 'ambiguous' | 'none';
  key: MessageKey;
  params?: Record<string, string | number>;
}

const REPLAY_TTL_MS = 7 * 24 * 3_600_000;

/** Pages open for `person` in these incidents: slots still paging that paged them. */
export function openPagesIn(incidents: readonly Incident[], person: PersonId): OpenPage[] {
  return incidents.flatMap((incident) => {
    const roles = incident.slots
      .filter((slot) => slot.state === 'paging' && slot.pages.some((page) => page.person === person))
      .map((slot) => ({ role: slot.role, epoch: slot.epoch }));
    return roles.length > 0 ? [{ incident: incident.id, incidentNumber: incident.number, person, roles }] : [];
  });
}

/** openPages over the store's active incidents. */
export function openPagesFromStore(store: Pick<IncidentStore, 'listActive'>): (person: PersonId) => Promise<OpenPage[]> {
  return async (person) => openPagesIn(await store.listActive(), person);
}

/** Phone number (E.164) to person, from muster.yaml's people. */
export function phoneDirectory(people: Readonly<Record<PersonId, { phone?: string }>>): (phone: string) => PersonId | undefined {
  const byPhone = new Map(Object.entries(people).flatMap(([id, person]) => (person.phone ? [[person.phone, id] as const] : [])));
  return (phone) => byPhone.get(phone.trim());
}

/** Runs one acknowledgement through the muster and logs it. Exported for the lead's use case wiring and tests. */
export async function handlePhoneAck(inbound: InboundPaging, ack: PhoneAck): Promise<PhoneAckOutcome> {
  const outcome = await inbound.onAck(ack);
  inbound.logger.info({ incident: ack.incident, person: ack.person, roles: ack.roles.map((r) => r.role), via: ack.via, outcome }, 'acknowledgement from outside chat');
  return outcome;
}

const ANSWER_KEYS: Record<PhoneAckOutcome, MessageKey> = {
  acked: 'paging.inbound.acked',
  already: 'paging.inbound.already',
  stale: 'paging.inbound.stale',
};

function answer(outcome: PhoneAckOutcome, incidentNumber?: number): InboundAnswer {
  return { outcome, key: ANSWER_KEYS[outcome], params: incidentNumber === undefined ? {} : { number: incidentNumber } };
}

/**
 * A signed token from a link (via link) or a Gather action URL (via voice):
 * checked, used up, then acknowledged. If the ack cannot be recorded the
 * token is given back so the person can try again.
 */
export async function redeemAckToken(inbound: InboundPaging, token: string, via: 'link' | 'voice'): Promise<InboundAnswer> {
  if (!inbound.tokens) return { outcome: 'refused', key: 'paging.inbound.off' };
  const check = await inbound.tokens.redeem(token);
  if (!check.ok) {
    inbound.logger.warn({ via, reason: check.reason }, 'acknowledge token refused');
    return { outcome: 'refused', key: check.reason === 'used' ? 'paging.inbound.used' : check.reason === 'expired' ? 'paging.inbound.expired' : 'paging.inbound.invalid' };
  }
  const { nonce: _nonce, expiresAt: _expiresAt, ...fence } = check.claims;
  try {
    return answer(await handlePhoneAck(inbound, { ...fence, via }));
  } catch (error) {
    await inbound.tokens.giveBack(check.claims);
    throw error;
  }
}

const SMS_ACK_RE = /^\s*(?:1|ack|yes|y|ok)\s*[.!]?\s*$/i;
const SMS_ACK_NUMBER_RE = /^\s*ack\s*(?:inc[-\s]?)?#?(\d{1,9})\s*$/i;

/** Parses an SMS reply: `1` / `ACK` (the one open page) or `ACK 42` (that incident); undefined otherwise. */
export function parseSmsAck(body: string): { number?: number } | undefined {
  const numbered = SMS_ACK_NUMBER_RE.exec(body);
  if (numbered) return { number: Number(numbered[1]) };
  return SMS_ACK_RE.test(body) ? {} : undefined;
}

/**
 * An inbound SMS (signature already verified). Replayed message ids are
 * refused. `1` acks the person's one open page; with several open it asks for
 * `ACK <n>`.
 */
export async function handleSmsReply(inbound: InboundPaging, sms: { from: string; body: string; messageId: string }): Promise<InboundAnswer> {
  if (!(await inbound.ledger.claimOnce(`twilio-sms:${sms.messageId}`, REPLAY_TTL_MS))) {
    inbound.logger.warn({ messageId: sms.messageId }, 'inbound SMS refused: replayed');
    return { outcome: 'refused', key: 'paging.inbound.invalid' };
  }
  const person = inbound.personByPhone(sms.from);
  if (!person) {
    inbound.logger.warn({ messageId: sms.messageId }, 'inbound SMS from a number nobody in muster.yaml has');
    return { outcome: 'refused', key: 'paging.sms.unknownNumber' };
  }
  const parsed = parseSmsAck(sms.body);
  if (!parsed) return { outcome: 'none', key: 'paging.sms.help' };
  const open = (await inbound.openPages(person)).filter((page) => parsed.number === undefined || page.incidentNumber === parsed.number);
  if (open.length === 0) return { outcome: 'none', key: 'paging.sms.nothingOpen' };
  if (open.length > 1) return { outcome: 'ambiguous', key: 'paging.sms.which', params: { numbers: open.map((p) => p.incidentNumber).join(', ') } };
  const page = open[0] as OpenPage;
  return answer(await handlePhoneAck(inbound, { incident: page.incident, person, roles: page.roles, via: 'sms' }), page.incidentNumber);
}

/** The dedup_key of a PagerDuty event for one person's page in one incident; `fromDedupKey` reads it back. */
export const dedupKey = (incident: string, person: PersonId) => `muster:${incident}:${person}`;
export function fromDedupKey(key: string): { incident: string; person: PersonId } | undefined {
  const match = /^muster:([^:]+):([a-z0-9][a-z0-9_-]*)$/.exec(key);
  return match ? { incident: match[1] as string, person: match[2] as string } : undefined;
}

/**
 * A verified PagerDuty v3 webhook event. `incident.acknowledged` on an
 * incident Muster triggered (its incident_key is our dedup key) acks that
 * person's open roles; other events and foreign incidents are ignored.
 */
export async function handlePagerDutyEvent(inbound: InboundPaging, event: { id: string; type: string; incidentKey?: string }): Promise<InboundAnswer> {
  if (event.type !== 'incident.acknowledged' || !event.incidentKey) return { outcome: 'none', key: 'paging.inbound.ignored' };
  const page = fromDedupKey(event.incidentKey);
  if (!page) return { outcome: 'none', key: 'paging.inbound.ignored' };
  if (!(await inbound.ledger.claimOnce(`pagerduty:${event.id}`, REPLAY_TTL_MS))) {
    inbound.logger.warn({ event: event.id }, 'PagerDuty event refused: replayed');
    return { outcome: 'refused', key: 'paging.inbound.invalid' };
  }
  const open = (await inbound.openPages(page.person)).find((p) => p.incident === page.incident);
  if (!open) return answer('stale');
  return answer(await handlePhoneAck(inbound, { incident: open.incident, person: page.person, roles: open.roles, via: 'pagerduty' }), open.incidentNumber);
}

const TWILIO_STATES: Record<string, DeliveryStatus['state']> = {
  delivered: 'delivered',
  read: 'delivered',
  'in-progress': 'delivered',
  answered: 'delivered',
  completed: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
  busy: 'failed',
  'no-answer': 'failed',
  canceled: 'failed',
};

/** A verified Twilio status callback (Messages or Calls); a replay of the same sid and status is ignored. */
export async function handleTwilioStatus(inbound: InboundPaging, callback: { sid: string; status: string; kind: 'sms' | 'voice'; errorCode?: string }): Promise<void> {
  if (!(await inbound.ledger.claimOnce(`twilio-status:${callback.sid}:${callback.status}`, REPLAY_TTL_MS))) {
    inbound.logger.warn({ sid: callback.sid, status: callback.status }, 'Twilio status callback refused: replayed');
    return;
  }
  const state = TWILIO_STATES[callback.status] ?? 'progress';
  await inbound.onStatus({ provider: 'twilio', kind: callback.kind, messageId: callback.sid, state, detail: callback.status, ...(callback.errorCode ? { errorCode: callback.errorCode } : {}) });
}
