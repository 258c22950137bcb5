import type { PageRecord, RoleSlot } from '../incidents/types.js';
import type { Effects } from '../kernel/effects.js';
import type { Presenter } from '../notify/present.js';

/**
 * The first pages go out before the war room exists (they never wait for it,
 * src/incidents/war-room.ts), so they name the room without linking it. Once
 * the room is open, each such page is edited in place to link it: the person
 * who was woken finds the way in on the message that woke them, and nobody is
 * pinged a second time. A page whose slot went to someone else is left as it
 * is (its person was stood down); the one who took it keeps the link.
 */
export function linkPage(present: Presenter, fx: Effects, slot: RoleSlot, page: PageRecord, ref: string): void {
  delete page.unlinkedRef;
  const wanted = slot.state === 'paging' || slot.ackedBy === page.person;
  if (!wanted) return;
  const message = present.forPerson(page.person).page(fx.incident, slot);
  fx.edit(`page-link-${slot.role}-s${page.step}-${page.person}`, { kind: 'person', person: page.person }, ref, message);
}

/** Links every page delivered while the room was opening; called by the commit that opens it. */
export function linkEarlierPages(present: Presenter, fx: Effects): void {
  for (const slot of fx.incident.slots) {
    for (const page of slot.pages) if (page.unlinkedRef) linkPage(present, fx, slot, page, page.unlinkedRef);
  }
}
