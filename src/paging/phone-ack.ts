/**
 * An acknowledgement from the phone (a keypress, an SMS reply, a one-tap
 * link, PagerDuty) as a fenced transition: the person takes the roles of the
 * fence whose slots still page at the fence's epoch and paged them, through
 * the same ack transition as an ack in chat (ackSlots). A superseded page (a
 * later epoch, someone else acked, the incident resolved) changes nothing.
 */
import { syncGrants } from '../actions/record.js';
import type { Effects } from '../kernel/effects.js';
import type { MusterContext } from '../kernel/context.js';
import { ackSlots } from '../muster/transitions.js';
import type { PhoneAck, PhoneAckOutcome } from './inbound.js';

export function ackFromPhone(ctx: MusterContext, fx: Effects, ack: PhoneAck): PhoneAckOutcome {
  const incident = fx.incident;
  if (incident.id !== ack.incident || incident.status === 'resolved') return 'stale';
  const fenced = ack.roles.flatMap((fence) => incident.slots.filter((slot) => slot.role === fence.role && slot.pages.some((page) => page.person === ack.person)).map((slot) => ({ slot, fence })));
  const open = fenced.filter(({ slot, fence }) => slot.state === 'paging' && slot.epoch === fence.epoch).map(({ slot }) => slot);
  if (open.length === 0) return fenced.some(({ slot }) => slot.state === 'acked' && slot.ackedBy === ack.person) ? 'already' : 'stale';
  ackSlots(ctx, fx, open, ack.person);
  fx.event('page.phone_ack', { actor: ack.person, person: ack.person, data: { via: ack.via, roles: open.map((slot) => slot.role) } });
  syncGrants(ctx, fx);
  return 'acked';
}
