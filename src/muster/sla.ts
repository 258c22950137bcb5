import type { Incident } from '../incidents/types.js';
import { RESPOND_CLOCK } from '../incidents/page-fence.js';
import type { Timer } from '../ports.js';
import { Effects } from '../kernel/effects.js';
import { dutyManager } from './slots.js';
import type { MusterContext } from '../kernel/context.js';
import type { IncidentTimerKind } from '../timers/registry.js';

/**
 * The response SLA (severities.<P>.respond): someone must acknowledge a page by
 * `respondBy`. A warning goes to the war room ahead of the breach; the breach
 * is recorded and the duty manager paged. Both timers fence on `slaEpoch`, and
 * the first acknowledgement ends the clock.
 */

/** How long before the breach the warning comes: 10 minutes, or a third of a short SLA. */
export function warnLead(slaMs: number): number {
  return Math.min(10 * 60_000, Math.floor(slaMs / 3));
}

/** Starts (or restarts, after a severity change) the response clock from the declare time. */
export function startResponseClock(ctx: MusterContext, incident: Incident): void {
  const respond = ctx.config.severities[incident.severity]?.respond;
  incident.slaEpoch = (incident.slaEpoch ?? 0) + 1;
  delete incident.slaWarnedAt;
  if (respond === undefined || incident.respondedAt !== undefined) {
    delete incident.respondBy;
    return;
  }
  incident.respondBy = incident.declaredAt + respond;
}

/** The first acknowledgement meets the response SLA. */
export function markResponded(incident: Incident, at: number): void {
  if (incident.respondedAt !== undefined) return;
  incident.respondedAt = at;
  incident.slaEpoch = (incident.slaEpoch ?? 0) + 1;
}

export function slaTimers(incident: Incident): Timer[] {
  const due = incident.respondBy;
  if (due === undefined || incident.respondedAt !== undefined || incident.slaBreachedAt !== undefined) return [];
  if (incident.status === 'resolved') return [];
  const epoch = incident.slaEpoch ?? 0;
  const base = { incident: incident.id, kind: 'sla' as const, epoch };
  const timers: Timer[] = [{ ...base, id: `sla-${incident.id}-e${epoch}-breach`, dueAt: due, key: 'breach' }];
  if (incident.slaWarnedAt === undefined) {
    const lead = warnLead(due - incident.declaredAt);
    timers.push({ ...base, id: `sla-${incident.id}-e${epoch}-warn`, dueAt: due - lead, key: 'warn' });
  }
  return timers;
}

export function onSlaTimer(ctx: MusterContext, fx: Effects, timer: Timer): void {
  const incident = fx.incident;
  if (incident.status === 'resolved' || incident.respondedAt !== undefined) return;
  if ((incident.slaEpoch ?? 0) !== timer.epoch || incident.respondBy === undefined) return;
  if (timer.key === 'warn') warn(ctx, fx, incident.respondBy);
  else breach(ctx, fx);
}

function warn(ctx: MusterContext, fx: Effects, respondBy: number): void {
  const incident = fx.incident;
  if (incident.slaWarnedAt !== undefined) return;
  incident.slaWarnedAt = fx.now;
  const left = Math.max(0, respondBy - fx.now);
  fx.event('sla.warning', { actor: 'muster', data: { sla: 'respond', dueAt: respondBy, leftMs: left } });
  // Fenced: a warning still waiting (a 429) when someone responds is settled, not sent.
  fx.toRoom(`sla-warn-e${incident.slaEpoch ?? 0}`, ctx.present.notice(
    ctx.present.t('room.slaWarning', { id: incident.id, left: Math.ceil(left / 60_000) }),
    'warning',
  ), { clock: { key: RESPOND_CLOCK, epoch: incident.slaEpoch ?? 0 } });
}

function breach(ctx: MusterContext, fx: Effects): void {
  const incident = fx.incident;
  if (incident.slaBreachedAt !== undefined) return;
  incident.slaBreachedAt = fx.now;
  const manager = dutyManager(ctx.config, fx.now, ctx.holders);
  fx.event('sla.breached', { actor: 'muster', data: { sla: 'respond', elapsedMs: fx.now - incident.declaredAt, dutyManager: manager } });
  fx.event('page.sent', { actor: 'muster', role: 'duty-manager', person: manager, data: { reason: 'sla.breached' } });
  const params = { id: incident.id, severity: incident.severity, title: incident.title, manager: ctx.present.personName(manager) };
  fx.send(`sla-page-${manager}`, { kind: 'person', person: manager }, {
    title: ctx.present.t('page.title', params),
    text: ctx.present.t('page.slaBreach', params),
    tone: 'alert',
  });
  fx.toRoom('sla-breached', ctx.present.notice(ctx.present.t('room.slaBreached', params), 'warning'));
  fx.refreshBoard();
}

/** The response clock as a timer kind (src/timers/registry.ts). */
export const slaTimer: IncidentTimerKind = { kind: 'sla', scope: 'incident', expected: slaTimers, fire: onSlaTimer };
