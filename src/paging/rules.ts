/**
 * Personal notification rules: for a paged person and the time since their
 * page, which contact methods are due. Pure functions: the muster makes each
 * planned step a fenced timer (restart-safe, never doubled, never after an
 * ack) keyed by the step's index, and calls the paging port when it fires.
 */
import type { ContactKind, NotificationRules, NotificationStep, PagingSeverity, PersonPaging } from '../config/paging.js';
import { NOTICE_KINDS, type ContactAddress, type NoticeAddress } from './port.js';

const MINUTE = 60_000;
const PUSH: ContactKind[] = ['ntfy', 'pushover', 'pagerduty'];

/**
 * Built-in rules when neither the person nor `paging.rules` say otherwise.
 * P1 wakes people: chat and push at once, a text after 2 minutes, a call
 * after 5. P2 texts after 5 minutes. P3 and P4 stay in chat.
 */
export const DEFAULT_RULES: Readonly<Record<PagingSeverity, readonly NotificationStep[]>> = {
  P1: [
    { after: 0, via: ['chat', ...PUSH, 'email'] },
    { after: 2 * MINUTE, via: ['sms'] },
    { after: 5 * MINUTE, via: ['voice'] },
  ],
  P2: [
    { after: 0, via: ['chat', ...PUSH, 'email'] },
    { after: 5 * MINUTE, via: ['sms'] },
  ],
  P3: [{ after: 0, via: ['chat'] }],
  P4: [{ after: 0, via: ['chat'] }],
};

/** The person's own rule for the severity, else the team-wide `paging.rules`, else the default. */
export function rulesFor(severity: PagingSeverity, person: PersonPaging, defaults: NotificationRules = {}): readonly NotificationStep[] {
  return person.notify?.[severity] ?? defaults[severity] ?? DEFAULT_RULES[severity];
}

/** Where each of a person's configured methods reaches them; chat is always there (the chat page). */
export function contactAddresses(person: PersonPaging): Partial<Record<ContactKind, ContactAddress | { kind: 'chat' }>> {
  const out: Partial<Record<ContactKind, ContactAddress | { kind: 'chat' }>> = { chat: { kind: 'chat' } };
  if (person.phone) {
    out.sms = { kind: 'sms', phone: person.phone };
    out.voice = { kind: 'voice', phone: person.phone };
  }
  if (person.ntfy) out.ntfy = { kind: 'ntfy', topic: person.ntfy };
  if (person.pushover) out.pushover = { kind: 'pushover', user: person.pushover };
  if (person.email) out.email = { kind: 'email', address: person.email };
  if (person.pagerduty) out.pagerduty = { kind: 'pagerduty', routingKey: person.pagerduty };
  return out;
}

const isNoticeAddress = (address: ContactAddress | { kind: 'chat' } | undefined): address is NoticeAddress =>
  address !== undefined && (NOTICE_KINDS as readonly string[]).includes(address.kind);

/** Where a plain notice reaches a person: each push method they have whose provider is on (`available`). */
export function noticeAddresses(person: PersonPaging, available: ReadonlySet<ContactKind>): NoticeAddress[] {
  const has = contactAddresses(person);
  return NOTICE_KINDS.map((kind) => has[kind]).filter(isNoticeAddress).filter((address) => available.has(address.kind));
}

/** One planned step: at `atMs` after the page, reach the person through `methods`. */
export interface PlannedStep {
  /** Stable index in the plan: the timer key suffix ("notify:<person>:<index>"). */
  index: number;
  atMs: number;
  methods: ContactKind[];
}

/**
 * The steps that will actually reach this person: methods they have and whose
 * provider is on (`available`; chat always is), each kind at most once (the
 * first step naming it wins: at most one call and one text per escalation
 * step), steps left empty dropped, in time order.
 */
export function planNotifications(steps: readonly NotificationStep[], person: PersonPaging, available: ReadonlySet<ContactKind>): PlannedStep[] {
  const has = contactAddresses(person);
  const used = new Set<ContactKind>();
  const ordered = [...steps].sort((a, b) => a.after - b.after);
  const plan: PlannedStep[] = [];
  for (const step of ordered) {
    const methods = step.via.filter((kind) => !used.has(kind) && has[kind] !== undefined && (kind === 'chat' || available.has(kind)));
    methods.forEach((kind) => used.add(kind));
    if (methods.length > 0) plan.push({ index: plan.length, atMs: step.after, methods });
  }
  return plan;
}

/** The steps due by `sinceMs` after the page that have not run yet (`done`: indexes already run). */
export function dueSteps(plan: readonly PlannedStep[], sinceMs: number, done: ReadonlySet<number> = new Set()): PlannedStep[] {
  return plan.filter((step) => step.atMs <= sinceMs && !done.has(step.index));
}

/** When (ms after the page) the next step not yet run is due; undefined when the plan is spent. */
export function nextDueAt(plan: readonly PlannedStep[], done: ReadonlySet<number> = new Set()): number | undefined {
  return plan.find((step) => !done.has(step.index))?.atMs;
}

/**
 * A method failed for good (a 4xx, a call not answered, a text undelivered):
 * the next step not yet run, to fire at once instead of at its time.
 * Undefined when nothing is left (the escalation step's own clock moves on).
 */
export function stepAfterFailure(plan: readonly PlannedStep[], failedIndex: number, done: ReadonlySet<number> = new Set()): PlannedStep | undefined {
  return plan.find((step) => step.index > failedIndex && !done.has(step.index));
}

/** A notification waiting to go out, for coalescing. */
export interface PendingNotice<N extends { incident: string; roles: string[] }> {
  address: ContactAddress;
  notification: N;
  at: number;
}

const addressKey = (address: ContactAddress) => `${address.kind}:${Object.values(address).slice(1).join(':')}`;

/**
 * Never the same phone (or topic, or key) twice for two roles of one incident
 * within `windowMs`: notices to the same address for the same incident that
 * fall in one window become one, naming every role (the first notice's time).
 */
export function coalesceNotices<N extends { incident: string; roles: string[]; fence: { roles: Array<{ role: string; epoch: number }> } }>(
  notices: ReadonlyArray<PendingNotice<N>>,
  windowMs = MINUTE,
): Array<PendingNotice<N>> {
  const out: Array<PendingNotice<N>> = [];
  for (const notice of [...notices].sort((a, b) => a.at - b.at)) {
    const same = out.find(
      (kept) => kept.notification.incident === notice.notification.incident && addressKey(kept.address) === addressKey(notice.address) && notice.at - kept.at < windowMs,
    );
    if (!same) {
      out.push({ ...notice, notification: { ...notice.notification, roles: [...notice.notification.roles], fence: { ...notice.notification.fence, roles: [...notice.notification.fence.roles] } } });
      continue;
    }
    for (const role of notice.notification.roles) if (!same.notification.roles.includes(role)) same.notification.roles.push(role);
    for (const fenced of notice.notification.fence.roles) if (!same.notification.fence.roles.some((r) => r.role === fenced.role)) same.notification.fence.roles.push(fenced);
  }
  return out;
}
