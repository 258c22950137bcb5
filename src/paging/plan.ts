/**
 * The personal notification rule of one page, snapshotted onto the page
 * record when the person is paged (like escalation chains: editing
 * muster.yaml later never changes a running muster). Chat is the page itself,
 * so it is left out; what remains are the later methods, each step a fenced
 * `notify` timer (src/paging/notify-timer.ts).
 */
import type { ContactKind, PagingSeverity } from '../config/paging.js';
import type { Incident, PageRecord, PersonId } from '../incidents/types.js';
import type { MusterContext } from '../kernel/context.js';
import { planNotifications, rulesFor } from './rules.js';

export function notificationPlan(ctx: MusterContext, incident: Incident, person: PersonId): PageRecord['notify'] {
  const kinds = ctx.pagingKinds;
  const entry = ctx.config.people[person];
  if (!kinds || kinds.size === 0 || !entry) return undefined;
  const steps = rulesFor(incident.severity as PagingSeverity, entry, ctx.config.paging.rules);
  const plan = planNotifications(steps, entry, kinds as ReadonlySet<ContactKind>)
    .map((step) => ({ atMs: step.atMs, via: step.methods.filter((kind) => kind !== 'chat') }))
    .filter((step) => step.via.length > 0);
  return plan.length > 0 ? plan : undefined;
}
