import type { Incident } from '../incidents/types.js';
import { RESOLVE_CLOCK } from '../incidents/page-fence.js';
import type { MusterContext } from '../kernel/context.js';
import type { Effects } from '../kernel/effects.js';
import type { Timer } from '../ports.js';
import type { IncidentTimerKind } from '../timers/registry.js';
import { dutyManager } from './slots.js';

/**
 * The resolution clock (severities.<P>.resolve, e.g. the support
 * organisation's "resolved within 48 hours"): the incident must be resolved
 * by `resolveBy`. The war room is warned ahead; at the target the breach is
 * recorded and the duty manager paged, like the response SLA (sla.ts). Both
 * timers fence on `resolveEpoch`; resolving ends the clock, a severity change
 * restarts it from the declare time with the new target.
 */

/** How long before the target the warning comes: an hour, or a quarter of a short target. */
export function resolveWarnLead(targetMs: number): number {
  return Math.min(60 * 60_000, Math.floor(targetMs / 4));
}

/** Starts (or restarts, after a severity change) the resolution clock from the declare time. */
export function startResolutionClock(ctx: MusterContext, incident: Incident): void {
  const target = ctx.config.severities[incident.severity]?.resolve;
  incident.resolveEpoch = (incident.resolveEpoch ?? 0) + 1;
  delete incident.resolveWarnedAt;
  if (target === undefined) {
    delete incident.resolveBy;
    return;
  }
  incident.resolveBy = incident.declaredAt + target;
}

export function resolutionTimers(incident: Incident): Timer[] {
  const due = incident.resolveBy;
  if (due === undefined || incident.status === 'resolved' || incident.resolveBreachedAt !== undefined) return [];
  const epoch = incident.resolveEpoch ?? 0;
  const base = { incident: incident.id, kind: 'resolve' as const, epoch };
  const timers: Timer[] = [{ ...base, id: `resolve-${incident.id}-e${epoch}-breach`, dueAt: due, key: 'breach' }];
  if (incident.resolveWarnedAt === undefined) {
    timers.push({ ...base, id: `resolve-${incident.id}-e${epoch}-warn`, dueAt: due - resolveWarnLead(due - incident.declaredAt), key: 'warn' });
  }
  return timers;
}

function fire(ctx: MusterContext, fx: Effects, timer: Timer): void {
  const incident = fx.incident;
  if (incident.status === 'resolved' || incident.resolveBy === undefined || (incident.resolveEpoch ?? 0) !== timer.epoch) return;
  if (timer.key === 'warn') warn(ctx, fx, incident.resolveBy);
  else if (timer.key === 'breach') breach(ctx, fx, incident.resolveBy);
}

function warn(ctx: MusterContext, fx: Effects, resolveBy: number): void {
  const incident = fx.incident;
  if (incident.resolveWarnedAt !== undefined || incident.resolveBreachedAt !== undefined) return;
  incident.resolveWarnedAt = fx.now;
  const left = Math.max(0, resolveBy - fx.now);
  fx.event('sla.warning', { actor: 'muster', data: { sla: 'resolve', dueAt: resolveBy, leftMs: left } });
  // Fenced: a warning still waiting (a 429) when the incident is resolved is settled, not sent.
  fx.toRoom(`resolve-warn-e${incident.resolveEpoch ?? 0}`, ctx.present.notice(
    ctx.present.t('room.resolveWarning', { id: incident.id, left: ctx.present.elapsed(left), at: ctx.present.time(resolveBy) }),
    'warning',
  ), { clock: { key: RESOLVE_CLOCK, epoch: incident.resolveEpoch ?? 0 } });
}

function breach(ctx: MusterContext, fx: Effects, resolveBy: number): void {
  const incident = fx.incident;
  if (incident.resolveBreachedAt !== undefined) return;
  incident.resolveBreachedAt = fx.now;
  const manager = dutyManager(ctx.config, fx.now);
  const target = ctx.present.elapsed(resolveBy - incident.declaredAt);
  fx.event('sla.breached', { actor: 'muster', data: { sla: 'resolve', elapsedMs: fx.now - incident.declaredAt, dutyManager: manager } });
  fx.event('page.sent', { actor: 'muster', role: 'duty-manager', person: manager, data: { reason: 'resolve.breached' } });
  const params = { id: incident.id, severity: incident.severity, title: incident.title, target, manager: ctx.present.personName(manager) };
  fx.send(`resolve-page-${manager}`, { kind: 'person', person: manager }, {
    title: ctx.present.t('page.title', params),
    text: ctx.present.t('page.resolveBreach', params),
    tone: 'alert',
  });
  fx.toRoom('resolve-breached', ctx.present.notice(ctx.present.t('room.resolveBreached', params), 'warning'));
  fx.refreshBoard();
}

/** The resolution clock as a timer kind (src/timers/registry.ts). */
export const resolutionTimer: IncidentTimerKind = { kind: 'resolve', scope: 'incident', expected: resolutionTimers, fire };
