import { roomPending, type PageRecord, type RoleSlot } from '../incidents/types.js';
import type { MusterContext } from '../kernel/context.js';
import type { Effects } from '../kernel/effects.js';
import type { PageFence } from '../ports.js';
import { linkPage } from './page-link.js';
import { dutyManager } from './slots.js';
import { runDueSteps } from './transitions.js';

const SYSTEM = 'muster';

/** What became of a page (src/delivery/ reports it): handed to the chat (with its reference), refused for good, or no longer wanted. */
export type PageReceipt =
  // linked: the page as sent linked the war room (it was open by then).
  | { outcome: 'delivered'; incident: string; fence: PageFence; ref: string; linked?: boolean }
  | { outcome: 'failed'; incident: string; fence: PageFence; reason: string }
  | { outcome: 'superseded'; incident: string; fence: PageFence };

/**
 * A page's receipt goes on the record: delivered (with the platform's message
 * reference), failed (with the reason) or superseded (no longer wanted when its
 * turn came). When every page of the slot's current step has failed, the next
 * step runs at once instead of at its time; when the chain is spent, the duty
 * manager hears that nobody could be reached.
 */
export function recordReceipt(ctx: MusterContext, fx: Effects, receipt: PageReceipt): void {
  const { fence } = receipt;
  const slot = fx.incident.slots.find((candidate) => candidate.role === fence.role);
  const page = [...(slot?.pages ?? [])].reverse().find((candidate) => candidate.person === fence.person);
  const base = { actor: SYSTEM, role: fence.role, person: fence.person };
  if (receipt.outcome === 'superseded') {
    fx.event('page.superseded', { ...base, data: { epoch: fence.epoch } });
    return;
  }
  if (receipt.outcome === 'delivered') {
    if (page) {
      page.delivery = 'delivered';
      if (slot && receipt.ref && receipt.linked === false) linkLater(ctx, fx, slot, page, receipt.ref);
    }
    fx.event('page.delivered', { ...base, data: { epoch: fence.epoch, ref: receipt.ref } });
    return;
  }
  if (page) {
    page.delivery = 'failed';
    page.reason = receipt.reason;
  }
  fx.event('page.failed', { ...base, data: { epoch: fence.epoch, reason: receipt.reason } });
  if (slot && slot.state === 'paging' && slot.epoch === fence.epoch && currentStepFailed(slot)) moveOn(ctx, fx, slot);
  fx.refreshBoard();
}

/** A page sent without the room's link: linked now if the room opened meanwhile, else when it opens. */
function linkLater(ctx: MusterContext, fx: Effects, slot: RoleSlot, page: PageRecord, ref: string): void {
  if (roomPending(fx.incident)) page.unlinkedRef = ref;
  else linkPage(ctx.present, fx, slot, page, ref);
}

function currentStepFailed(slot: RoleSlot): boolean {
  const step = slot.nextStep - 1;
  const pages = slot.pages.filter((candidate) => candidate.step === step);
  return pages.length > 0 && pages.every((candidate) => candidate.delivery === 'failed');
}

function moveOn(ctx: MusterContext, fx: Effects, slot: RoleSlot): void {
  const next = slot.chain[slot.nextStep];
  if (next) {
    runDueSteps(ctx, fx, slot, slot.startedAt + next.atMs);
    return;
  }
  const manager = dutyManager(ctx.config, fx.now, ctx.holders);
  const role = ctx.present.roleName(slot.role);
  fx.event('escalation.unreachable', { actor: SYSTEM, role: slot.role, data: { dutyManager: manager } });
  fx.send(`unreachable-${slot.role}-e${slot.epoch}-${manager}`, { kind: 'person', person: manager },
    ctx.present.notice(ctx.present.t('page.unreachable', { id: fx.incident.id, role }), 'alert'));
  fx.toRoom(`unreachable-${slot.role}-e${slot.epoch}`, ctx.present.notice(
    ctx.present.t('room.unreachable', { role, manager: ctx.present.personName(manager) }), 'warning'));
}
