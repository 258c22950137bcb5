/**
 * What became of a notification goes on the record and the timeline: which
 * provider took it (with its message id, so its status callbacks find the
 * page later), or why it failed, or that it was no longer wanted.
 */
import type { Effects } from '../kernel/effects.js';
import type { MusterContext } from '../kernel/context.js';
import type { PagingOutcome } from './deliver.js';
import { hurryNextMethod } from './receipts.js';
import { isMirror } from './pagerduty-mirror.js';

const SYSTEM = 'muster';

export function recordPagingOutcome(_ctx: MusterContext, fx: Effects, outcome: PagingOutcome): void {
  const { message } = outcome;
  const { fence } = message.notification;
  const kind = message.address.kind;
  const roles = fence.roles.map((r) => r.role);
  const base = { actor: SYSTEM, person: fence.person, ...(roles[0] ? { role: roles[0] } : {}) };
  if ('superseded' in outcome) {
    fx.event('page.superseded', { ...base, data: { kind, roles } });
    return;
  }
  if (isMirror(message)) return recordMirror(fx, outcome, base);
  const pages = fence.roles.flatMap(({ role, epoch }) => {
    const slot = fx.incident.slots.find((candidate) => candidate.role === role && candidate.epoch === epoch);
    const page = slot && [...slot.pages].reverse().find((candidate) => candidate.person === fence.person);
    return page ? [page] : [];
  });
  if ('interrupted' in outcome) {
    for (const page of pages) {
      page.sent = [...(page.sent ?? []), { kind, state: 'failed', detail: 'interrupted' }];
      hurryNextMethod(fx, page);
    }
    fx.event('page.notify_failed', { ...base, data: { kind, roles, reason: 'the attempt was interrupted; not sent again so it cannot arrive twice' } });
    fx.refreshBoard();
    return;
  }
  const { receipt } = outcome;
  if (receipt.status === 'accepted') {
    // A new trigger reopens PagerDuty's incident for this person: its answers are mirrored afresh.
    if (kind === 'pagerduty' && fx.incident.pagerduty?.[fence.person]) delete fx.incident.pagerduty[fence.person];
    for (const page of pages) page.sent = [...(page.sent ?? []), { kind, messageId: receipt.messageId, state: 'accepted' }];
    fx.event('page.notified', { ...base, data: { kind, roles, provider: receipt.provider, messageId: receipt.messageId } });
  } else {
    // Refused for good (a bad number, a wrong key): the next method now, not at its time.
    for (const page of pages) {
      page.sent = [...(page.sent ?? []), { kind, state: 'failed', detail: receipt.reason }];
      hurryNextMethod(fx, page);
    }
    fx.event('page.notify_failed', { ...base, data: { kind, roles, provider: receipt.provider, reason: receipt.reason, ...(receipt.code === undefined ? {} : { code: receipt.code }) } });
  }
  fx.refreshBoard();
}

/** A PagerDuty acknowledge or resolve on the timeline; it is no page, so nothing moves on if it fails. */
function recordMirror(fx: Effects, outcome: Exclude<PagingOutcome, { superseded: true }>, base: { actor: string; person: string }): void {
  const action = outcome.message.notification.pagerdutyAction;
  const receipt = 'receipt' in outcome ? outcome.receipt : undefined;
  if (receipt?.status === 'accepted') {
    fx.event('page.notified', { ...base, data: { kind: 'pagerduty', action, provider: receipt.provider, messageId: receipt.messageId } });
    return;
  }
  const reason = receipt?.status === 'failed' ? receipt.reason : 'the attempt was interrupted; not sent again';
  fx.event('page.notify_failed', { ...base, data: { kind: 'pagerduty', action, reason } });
}
