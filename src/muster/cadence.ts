import type { Incident, PersonId } from '../incidents/types.js';
import { UPDATE_CLOCK } from '../incidents/page-fence.js';
import type { Timer } from '../ports.js';
import { Effects } from '../kernel/effects.js';
import { dutyManager } from './slots.js';
import type { MusterContext } from '../kernel/context.js';
import { notifyAudiences } from '../notify/audiences.js';
import type { IncidentTimerKind } from '../timers/registry.js';

/**
 * The update cadence (severities.<P>.update): when an update is due the
 * commander is reminded; if it is still missing after a grace period the duty
 * manager is paged. Posting an update or snoozing (with a reason) moves the
 * clock; every move bumps `updateEpoch`, so older reminders go stale.
 */

/** Grace after the due time before the duty manager hears of it: 10 minutes, or a third of a short cadence. */
export function overdueGrace(cadenceMs: number): number {
  return Math.min(10 * 60_000, Math.floor(cadenceMs / 3));
}

/** Sets the next update due `from` (declare, last update) by the severity's cadence; none without one. */
export function scheduleNextUpdate(ctx: MusterContext, incident: Incident, from: number, dueAt?: number): void {
  const cadence = ctx.config.severities[incident.severity]?.update;
  incident.updateEpoch = (incident.updateEpoch ?? 0) + 1;
  delete incident.updateRemindedAt;
  delete incident.updateOverdueAt;
  if (cadence === undefined && dueAt === undefined) {
    delete incident.updateDueAt;
    return;
  }
  incident.updateDueAt = dueAt ?? from + (cadence as number);
}

export function cadenceTimers(incident: Incident): Timer[] {
  const due = incident.updateDueAt;
  if (due === undefined || incident.status === 'resolved') return [];
  const epoch = incident.updateEpoch ?? 0;
  const base = { incident: incident.id, kind: 'update' as const, epoch };
  const timers: Timer[] = [];
  if (incident.updateRemindedAt === undefined) timers.push({ ...base, id: `update-${incident.id}-e${epoch}-remind`, dueAt: due, key: 'remind' });
  if (incident.updateOverdueAt === undefined) {
    timers.push({ ...base, id: `update-${incident.id}-e${epoch}-overdue`, dueAt: due + (incident.updateGraceMs ?? 0), key: 'overdue' });
  }
  return timers;
}

/** Who is asked for the update: the staffed commander, else whoever holds the pager for it, else the declarer. */
export function commanderOf(incident: Incident): PersonId {
  const slot = incident.slots.find((candidate) => candidate.role === 'commander' && candidate.state !== 'released');
  return slot?.ackedBy ?? slot?.pages.at(-1)?.person ?? incident.declaredBy;
}

export function onUpdateTimer(ctx: MusterContext, fx: Effects, timer: Timer): void {
  const incident = fx.incident;
  if (incident.status === 'resolved' || (incident.updateEpoch ?? 0) !== timer.epoch || incident.updateDueAt === undefined) return;
  if (timer.key === 'remind') remind(ctx, fx);
  else overdue(ctx, fx);
}

function remind(ctx: MusterContext, fx: Effects): void {
  const incident = fx.incident;
  if (incident.updateRemindedAt !== undefined) return;
  incident.updateRemindedAt = fx.now;
  const commander = commanderOf(incident);
  fx.event('update.due', { actor: 'muster', person: commander, data: { dueAt: incident.updateDueAt } });
  const params = { id: incident.id, person: ctx.present.personName(commander) };
  // Fenced on the cadence: an update posted before these are delivered makes them pointless, and they are not sent.
  const clock = { key: UPDATE_CLOCK, epoch: incident.updateEpoch ?? 0 };
  fx.send(`update-remind-e${incident.updateEpoch ?? 0}-${commander}`, { kind: 'person', person: commander }, {
    text: ctx.present.t('dm.updateDue', params),
    tone: 'warning',
  }, { clock });
  fx.toRoom(`update-remind-e${incident.updateEpoch ?? 0}`, ctx.present.notice(ctx.present.t('room.updateDue', params), 'warning'), { clock });
}

function overdue(ctx: MusterContext, fx: Effects): void {
  const incident = fx.incident;
  if (incident.updateOverdueAt !== undefined) return;
  incident.updateOverdueAt = fx.now;
  const manager = dutyManager(ctx.config, fx.now, ctx.holders);
  fx.event('update.overdue', { actor: 'muster', data: { dueAt: incident.updateDueAt, dutyManager: manager } });
  fx.event('page.sent', { actor: 'muster', role: 'duty-manager', person: manager, data: { reason: 'update.overdue' } });
  const params = { id: incident.id, severity: incident.severity, title: incident.title, manager: ctx.present.personName(manager) };
  const clock = { key: UPDATE_CLOCK, epoch: incident.updateEpoch ?? 0 };
  fx.send(`update-overdue-e${incident.updateEpoch ?? 0}-${manager}`, { kind: 'person', person: manager }, {
    title: ctx.present.t('page.title', params),
    text: ctx.present.t('page.updateOverdue', params),
    tone: 'alert',
  }, { clock });
  fx.toRoom(`update-overdue-e${incident.updateEpoch ?? 0}`, ctx.present.notice(ctx.present.t('room.updateOverdue', params), 'warning'), { clock });
}

/** A status update: recorded, posted to the war room and the broadcast channel, and the clock restarts. */
export function postUpdate(ctx: MusterContext, fx: Effects, text: string): void {
  const incident = fx.incident;
  fx.event('update.posted', { data: { text } });
  const params = { id: incident.id, severity: incident.severity, title: incident.title, person: ctx.present.personName(fx.actor), text };
  const message = { title: ctx.present.t('update.title', params), text, tone: 'info' as const };
  fx.toRoom(`update-${incident.version}`, message);
  if (ctx.config.channels.broadcast && !incident.drill) fx.send(`update-broadcast-${incident.version}`, { kind: 'broadcast' }, message);
  scheduleNextUpdate(ctx, incident, fx.now);
  incident.updateGraceMs = graceFor(ctx, incident);
  notifyAudiences(ctx, fx, 'update', text);
}

/** Snoozing needs a reason, and is on the record. */
export function snoozeUpdate(ctx: MusterContext, fx: Effects, forMs: number, reason: string): void {
  const incident = fx.incident;
  const until = fx.now + forMs;
  scheduleNextUpdate(ctx, incident, fx.now, until);
  incident.updateGraceMs = graceFor(ctx, incident);
  fx.event('update.snoozed', { data: { until, reason } });
  fx.toRoom(`update-snooze-${incident.version}`, ctx.present.notice(ctx.present.t('room.updateSnoozed', {
    id: incident.id, person: ctx.present.personName(fx.actor), minutes: Math.round(forMs / 60_000), reason,
  })));
}

export function graceFor(ctx: MusterContext, incident: Incident): number {
  const cadence = ctx.config.severities[incident.severity]?.update;
  return cadence === undefined ? 10 * 60_000 : overdueGrace(cadence);
}

/** The update cadence as a timer kind (src/timers/registry.ts). */
export const updateTimer: IncidentTimerKind = { kind: 'update', scope: 'incident', expected: cadenceTimers, fire: onUpdateTimer };
