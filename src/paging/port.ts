/**
 * The paging port: how the core reaches one person through one contact method
 * that is not chat (a text, a call, a push, an email, a PagerDuty event).
 * The core decides who, when and through what (src/paging/rules.ts); an
 * adapter (adapters/paging/) only talks to its provider and says what the
 * provider answered. Nothing here knows a provider's SDK or wire format.
 */
import type { Severity } from '../config/schema.js';
import type { PersonId } from '../incidents/types.js';
import { CONTACT_KINDS, type ContactKind } from '../config/paging.js';

export { CONTACT_KINDS, type ContactKind };
/** Kinds that travel through the paging port (chat goes through the outbox and the chat port). */
export type ProviderContactKind = Exclude<ContactKind, 'chat'>;

/** Where one contact method reaches a person; the address is the provider's own (E.164, topic, user key, routing key, email). */
export type ContactAddress =
  | { kind: 'sms'; phone: string }
  | { kind: 'voice'; phone: string }
  | { kind: 'ntfy'; topic: string }
  | { kind: 'pushover'; user: string; device?: string }
  | { kind: 'email'; address: string }
  | { kind: 'pagerduty'; routingKey: string };

/**
 * What happened, neutrally: every adapter words it from the message
 * catalogue in its own format (a voice script, 160 characters, a push title).
 * `roles` holds every role this one message pages the person for: two roles
 * of one incident in the same minute become one message naming both.
 */
export interface PageNotification {
  incident: string;
  /** The incident number (INC-<n>), spoken and texted, and what an SMS reply `ACK <n>` names. */
  incidentNumber: number;
  severity: Severity;
  title: string;
  person: PersonId;
  /** Display names of the roles, already resolved ("tech lead"), in the order they were paged. */
  roles: string[];
  drill: boolean;
  /** The war room as people call it ("#inc-42-checkout-is-failing") and a link when the chat has one. */
  room: { name: string; url?: string };
  /**
   * Signed acknowledge token for this page (src/paging/ack-links.ts), present
   * only when MUSTER_PUBLIC_URL and MUSTER_PAGING_KEY are set. Adapters turn it
   * into a one-tap link (push, email) or a keypress callback (voice) with
   * ackLinkUrl / gatherUrl; without it they tell the person to ack in chat.
   * A bearer secret: never log it.
   */
  ackToken?: string;
  /**
   * Fencing of the page this notification belongs to (role slot epochs), so
   * the provider's answer (a keypress) can be checked against the slot later.
   */
  fence: PageFence;
  /** A test from `/oncall test`: says so, carries no ack. */
  test?: boolean;
  /** PagerDuty only: which Events API v2 action (default trigger). */
  pagerdutyAction?: 'trigger' | 'acknowledge' | 'resolve';
}

/**
 * A plain notice: something a person should know, not a page. It carries no
 * acknowledge link or keypress, escalates nothing and goes out at normal
 * priority, through push methods only (NOTICE_KINDS): a notice must never
 * ring a phone or open a PagerDuty incident. Like a page it is neutral:
 * names are already resolved for the reader, and the adapters word it
 * (src/paging/wording.ts).
 */
export type PlainNotice = ShiftNotice;

/** A shift starts: the incoming holder of a team's pager is told what they hold and inherit. */
export interface ShiftNotice {
  kind: 'shift';
  person: PersonId;
  /** The team's display name ("Payments"). */
  team: string;
  /** The position's display name in the reader's locale ("primary", "主值班"). */
  position: string;
  /** The shift as the reader writes it, in the team's time zone and naming it ("Mon, Nov 9, 09:00 to … (Europe/Berlin)"). */
  interval: string;
  /** Display name of the person handing over, when someone held it before. */
  from?: string;
  /** Open incidents of the team the person inherits, oldest first. */
  incidents: Array<{ number: number; severity: Severity; title: string }>;
}

/** The contact kinds a plain notice may use: push, never a text, a call, an email or PagerDuty. */
export const NOTICE_KINDS = ['ntfy', 'pushover'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
export type NoticeAddress = Extract<ContactAddress, { kind: NoticeKind }>;

/** The fence of a phone or link acknowledgement: one person, one incident, one or more roles at their epochs. */
export interface PageFence {
  incident: string;
  person: PersonId;
  roles: Array<{ role: string; epoch: number }>;
}

/**
 * What the provider answered. `accepted` means the provider took the message
 * (not that a person read it: status callbacks say that later, see
 * src/paging/inbound.ts). A failure says whether trying again can help:
 * timeouts, network errors, 5xx and 429 can; other 4xx (a bad number, an
 * unverified sender, a wrong key) cannot, and the core moves on at once.
 */
export type PagingReceipt =
  | { status: 'accepted'; provider: ProviderName; kind: ProviderContactKind; messageId: string }
  | {
      status: 'failed';
      provider: ProviderName;
      kind: ProviderContactKind;
      retryable: boolean;
      /** The provider's own words (its error code and message), or the network problem; never a secret. */
      reason: string;
      /** HTTP status or SMTP code when there was one. */
      code?: number;
      /** A provider's Retry-After, when it gave one. */
      retryAfterMs?: number;
    };

export const PROVIDERS = ['twilio', 'ntfy', 'pushover', 'pagerduty', 'email'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** The paging port. Implemented by adapters/paging/router.ts over the configured providers. */
export interface PagingPort {
  /**
   * Sends one notification to one address. Never throws for a provider's
   * answer: every outcome (timeouts included) is a receipt. Bounded in time
   * by the provider's timeout.
   */
  notify(address: ContactAddress, notification: PageNotification): Promise<PagingReceipt>;
  /** Sends one plain notice through a push method, with the same receipt contract as notify. */
  notice(address: NoticeAddress, notice: PlainNotice): Promise<PagingReceipt>;
  /** Which contact kinds have a configured provider (the bot says so at start). */
  available(): ProviderContactKind[];
}

/** Which provider serves each kind. */
export const PROVIDER_OF: Readonly<Record<ProviderContactKind, ProviderName>> = {
  sms: 'twilio',
  voice: 'twilio',
  ntfy: 'ntfy',
  pushover: 'pushover',
  email: 'email',
  pagerduty: 'pagerduty',
};

/** Contact kinds that wake a sleeping person (used by `muster validate` for people paged at P1). */
export const WAKING_KINDS: readonly ContactKind[] = ['sms', 'voice', 'ntfy', 'pushover', 'pagerduty'];

/** The routes providers and people reach (adapters/http/paging-hooks.ts), under MUSTER_PUBLIC_URL. */
export const PAGING_ROUTES = {
  ackLink: '/paging/ack',
  twilioStatus: '/paging/twilio/status',
  twilioSms: '/paging/twilio/sms',
  twilioGather: '/paging/twilio/gather',
  pagerduty: '/paging/pagerduty',
} as const;

/** The one-tap link of a token: a confirmation page, acknowledged by its button (link scanners only GET). */
export const ackLinkUrl = (publicUrl: string, token: string) => `${publicUrl}${PAGING_ROUTES.ackLink}?t=${encodeURIComponent(token)}`;
/** Where Twilio posts the keypress of a call carrying this token. */
export const gatherUrl = (publicUrl: string, token: string) => `${publicUrl}${PAGING_ROUTES.twilioGather}?t=${encodeURIComponent(token)}`;
