import { requiredSlots, type Incident } from '../incidents/types.js';
import type { MusterContext } from '../kernel/context.js';
import type { Effects } from '../kernel/effects.js';
import type { Timer } from '../ports.js';
import type { IncidentTimerKind } from '../timers/registry.js';
import { finishDrillMuster } from '../drills/scorecard.js';
import { dutyManager } from './slots.js';

/** The assembly deadline while the team is still assembling; fenced by the deadline epoch. */
function expected(incident: Incident): Timer[] {
  const deadline = incident.assembleDeadlineAt;
  if (incident.status !== 'assembling' || incident.breachedAt !== undefined || deadline === undefined) return [];
  return [{
    id: `deadline-${incident.id}-e${incident.deadlineEpoch}`,
    dueAt: deadline,
    incident: incident.id,
    kind: 'deadline',
    key: 'assembly',
    epoch: incident.deadlineEpoch,
  }];
}

/** The assembly deadline passed: record the breach once and page the duty manager. */
function fire(ctx: MusterContext, fx: Effects, timer: Timer): void {
  const incident = fx.incident;
  if (incident.status !== 'assembling' || incident.breachedAt !== undefined) return;
  if (incident.deadlineEpoch !== timer.epoch) return;
  const missing = requiredSlots(incident).filter((slot) => slot.state !== 'acked').map((slot) => slot.role);
  const manager = dutyManager(ctx.config, fx.now, ctx.holders);
  const elapsed = fx.now - incident.declaredAt;
  incident.breachedAt = fx.now;
  fx.event('assembly.breached', { actor: 'muster', data: { missing, elapsedMs: elapsed, dutyManager: manager } });
  fx.event('page.sent', { actor: 'muster', role: 'duty-manager', person: manager, data: { reason: 'assembly.breached' } });
  fx.send(`breach-page-${manager}`, { kind: 'person', person: manager }, ctx.present.breachPage(incident, missing));
  fx.toRoom('breached', ctx.present.notice(
    ctx.present.t('room.breached', {
      elapsed: ctx.present.elapsed(elapsed),
      missing: ctx.present.roleList(missing),
      manager: ctx.present.personName(manager),
    }),
    'warning',
  ));
  finishDrillMuster(ctx, fx);
  fx.refreshBoard();
}


export const deadlineTimer: IncidentTimerKind = { kind: 'deadline', scope: 'incident', expected, fire };
