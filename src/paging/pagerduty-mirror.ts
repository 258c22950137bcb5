/**
 * Muster's answers mirrored out to PagerDuty (issue 14): a person Muster
 * triggered a PagerDuty incident for (its dedup key is per person and
 * incident, src/paging/inbound.ts dedupKey) gets an Events API v2
 * `acknowledge` once they hold a role here, by any path (chat, phone, link,
 * PagerDuty itself), and a `resolve` once Muster no longer needs them: the
 * incident resolved, or none of their pages still pages (someone else took
 * the role, the chain moved on, they were reassigned).
 *
 * Derived from the record at every commit (IncidentService's beforeWrite),
 * so any transition, a restarted replica's included, gets it right without
 * knowing PagerDuty exists. The action queued is written on the incident in
 * the same commit as its outbox message, so each goes out once; the outbox
 * retries it with backoff, and delivery sends it only while it is still the
 * latest action for that person (a later resolve makes a pending
 * acknowledge pointless).
 */
import type { MusterConfig } from '../config/schema.js';
import type { Incident, PersonId } from '../incidents/types.js';
import type { Effects } from '../kernel/effects.js';
import type { OutboundMessage } from '../ports.js';
import { contactAddresses } from './rules.js';

export type MirrorAction = 'acknowledge' | 'resolve';
type PagingMessage = Extract<OutboundMessage, { kind: 'paging' }>;

/** People with a PagerDuty trigger the provider took (a refused one opened nothing). */
function triggered(incident: Incident): Set<PersonId> {
  return new Set(incident.slots.flatMap((slot) => slot.pages.filter((page) => page.sent?.some((sent) => sent.kind === 'pagerduty' && sent.state !== 'failed')).map((page) => page.person)));
}

/** A slot still paging this person in its current escalation step. */
const stillPaged = (incident: Incident, person: PersonId) =>
  incident.slots.some((slot) => slot.state === 'paging' && slot.pages.some((page) => page.person === person && page.step === slot.nextStep - 1));

/** What PagerDuty should now say for this person, if anything yet. */
export function mirrorWanted(incident: Incident, person: PersonId): MirrorAction | undefined {
  if (incident.status === 'resolved') return 'resolve';
  if (stillPaged(incident, person)) return undefined;
  return incident.slots.some((slot) => slot.state === 'acked' && slot.ackedBy === person) ? 'acknowledge' : 'resolve';
}

/** Queues the acknowledge or resolve each triggered person's record now calls for. */
export function mirrorPagerDuty(config: Pick<MusterConfig, 'people'>, fx: Effects): void {
  const incident = fx.incident;
  for (const person of triggered(incident)) {
    const last = incident.pagerduty?.[person];
    const wanted = mirrorWanted(incident, person);
    const address = contactAddresses(config.people[person] ?? {}).pagerduty;
    if (!wanted || last === 'resolve' || last === wanted || address?.kind !== 'pagerduty') continue;
    incident.pagerduty = { ...incident.pagerduty, [person]: wanted };
    fx.outbox.push({
      id: `${incident.id}-pd-${person}-${wanted}`,
      incident: incident.id,
      kind: 'paging',
      address,
      notification: {
        incident: incident.id, incidentNumber: incident.number, severity: incident.severity, title: incident.title, person,
        roles: [], drill: incident.drill !== undefined, room: { name: incident.roomName },
        fence: { incident: incident.id, person, roles: [] },
        pagerdutyAction: wanted,
      },
    });
  }
}

/** A mirrored action, not a page: its fence is the action still being the person's latest. */
export function isMirror(message: PagingMessage): boolean {
  const action = message.notification.pagerdutyAction;
  return action === 'acknowledge' || action === 'resolve';
}

export function mirrorStillWanted(incident: Incident | undefined, message: PagingMessage): boolean {
  return incident?.pagerduty?.[message.notification.person] === message.notification.pagerdutyAction;
}
