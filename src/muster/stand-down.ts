import type { PersonId, RoleSlot } from '../incidents/types.js';
import type { MusterContext } from '../kernel/context.js';
import type { Effects } from '../kernel/effects.js';

/** Why the people still being paged for a slot are no longer needed. */
export type StandDownReason = 'acked' | 'assigned' | 'released' | 'resolved';

/**
 * Everyone paged for `slot` who is not taking it (`taker`), and was not told
 * otherwise (`alreadyTold`), gets one short
 * message saying they are no longer needed, and why. Called by the transition
 * that ends the slot's paging, inside the same commit, so the message goes out
 * exactly once however often the commit is retried (its id is deterministic).
 */
export function standDown(
  ctx: MusterContext, fx: Effects, slot: RoleSlot, reason: StandDownReason, taker?: PersonId, alreadyTold: PersonId[] = [],
): PersonId[] {
  const people = [...new Set(slot.pages.map((page) => page.person))].filter((person) => person !== taker && !alreadyTold.includes(person));
  if (people.length === 0) return [];
  const { present } = ctx;
  const text = present.t(`standDown.${reason}`, {
    id: fx.incident.id,
    role: present.roleName(slot.role),
    person: taker ? present.personName(taker) : '',
  });
  for (const person of people) {
    fx.send(`standdown-${slot.role}-e${slot.epoch}-${person}`, { kind: 'person', person }, present.notice(text, 'info'));
  }
  fx.event('page.stood_down', { role: slot.role, data: { people, reason, ...(taker ? { taker } : {}) } });
  return people;
}
