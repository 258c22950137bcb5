/**
 * Provider receipts on the record (issue 14): a status callback (delivered,
 * failed, undelivered, no-answer, busy) updates the sent message on the page
 * it belongs to, goes on the timeline and the board; a text that fails or a
 * call nobody answers moves that person to their next method at once (the
 * next notify step not yet run becomes due now), as does a send the
 * provider refused for good.
 */
import type { Incident, PageRecord } from '../incidents/types.js';
import type { Effects } from '../kernel/effects.js';
import type { MusterContext } from '../kernel/context.js';
import type { DeliveryStatus } from './inbound.js';

/** The next step not yet run of this page's rule is due now (src/paging/notify-timer.ts reads it). */
export function hurryNextMethod(fx: Effects, page: PageRecord): void {
  const pending = page.notify?.some((step) => step.via.some((kind) => !page.notified?.includes(kind)));
  if (pending) page.hurryAt = fx.now;
}

/** The active incident holding a message the provider names, if any (receipts are few; the active set is small). */
export function incidentWithMessage(incidents: readonly Incident[], messageId: string): Incident | undefined {
  return incidents.find((incident) => incident.slots.some((slot) => slot.pages.some((page) => page.sent?.some((sent) => sent.messageId === messageId))));
}

export function recordProviderStatus(_ctx: MusterContext, fx: Effects, status: DeliveryStatus): void {
  if (status.state === 'progress') return;
  let changed = false;
  for (const slot of fx.incident.slots) {
    for (const page of slot.pages) {
      const sent = page.sent?.find((candidate) => candidate.messageId === status.messageId);
      if (!sent || sent.state === status.state) continue;
      sent.state = status.state;
      sent.detail = status.detail;
      changed = true;
      if (status.state === 'failed' && slot.state === 'paging') hurryNextMethod(fx, page);
      fx.event('page.receipt', {
        actor: 'muster', role: slot.role, person: page.person,
        data: { kind: status.kind, provider: status.provider, state: status.state, detail: status.detail, ...(status.errorCode ? { errorCode: status.errorCode } : {}) },
      });
    }
  }
  if (changed) fx.refreshBoard();
}
