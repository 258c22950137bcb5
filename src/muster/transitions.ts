import { requiredSlots, type PersonId, type RoleSlot } from '../incidents/types.js';
import { Effects } from '../kernel/effects.js';
import type { MusterContext } from '../kernel/context.js';
import { markResponded } from './sla.js';
import { finishDrillMuster } from '../drills/scorecard.js';
import { notifyAudiences } from '../notify/audiences.js';
import { standDown } from './stand-down.js';
import { openTaskAtResolve } from '../knowledge/timer.js';
import { stepTargets } from './step-targets.js';
import { notificationPlan } from '../paging/plan.js';
import { notifyAtOnce } from '../paging/notify-timer.js';

/**
 * The muster's state machine as pure steps over a draft incident. Each step
 * checks its fencing token first; a stale timer is a no-op, never an error.
 */

const SYSTEM = 'muster';

/**
 * Runs every escalation step of the slot due by `until` (default: now). A timer
 * passes its own due time, so a replica whose clock runs a little behind the
 * one that armed the timer still acts on it instead of dropping it.
 */
export function runDueSteps(ctx: MusterContext, fx: Effects, slot: RoleSlot, until = fx.now): void {
  while (slot.state === 'paging' && slot.nextStep < slot.chain.length) {
    const step = slot.chain[slot.nextStep];
    if (!step || slot.startedAt + step.atMs > until) return;
    const index = slot.nextStep;
    slot.nextStep += 1;
    // Whoever holds the position now (the step records who was actually paged).
    const chosen = stepTargets(ctx, fx.incident, slot, step, fx.now);
    if (index > 0) {
      const reason = chosen.flatMap((target) => (target.reason ? [target.reason] : [])).join(' ');
      fx.event('escalation.step', { actor: SYSTEM, role: slot.role, data: { step: index, via: step.via, targets: step.targets, ...(reason ? { reason } : {}) } });
      const targets = step.targets.map((person) => ctx.present.personName(person)).join(', ');
      fx.toRoom(`esc-${slot.role}-e${slot.epoch}-s${index}`, ctx.present.notice(
        ctx.present.t('room.escalated', { role: ctx.present.roleName(slot.role), targets, via: ctx.present.viaName(step.via) }),
        'warning',
      ));
    }
    for (const target of chosen) pagePerson(ctx, fx, slot, target.person, index, target.reason);
    fx.refreshBoard();
  }
}

function pagePerson(ctx: MusterContext, fx: Effects, slot: RoleSlot, person: PersonId, step: number, reason?: string): void {
  // Methods due at once (push) go with this commit; later ones (a text, a call) are fenced notify timers.
  const notify = notificationPlan(ctx, fx.incident, person);
  const page = { person, at: fx.now, step, ...(notify ? { notify } : {}) };
  slot.pages.push(page);
  notifyAtOnce(ctx, fx, slot, page);
  fx.event('page.sent', { actor: SYSTEM, role: slot.role, person, data: { step, epoch: slot.epoch, ...(reason ? { reason } : {}) } });
  fx.send(`page-${slot.role}-e${slot.epoch}-s${step}-${person}`, { kind: 'person', person }, ctx.present.forPerson(person).page(fx.incident, slot), {
    fence: { role: slot.role, epoch: slot.epoch, person },
    invite: fx.roomOpenedEarlier,
  });
}

/** Acknowledges the given slots for `person`; completes the muster when the last one is staffed. */
export function ackSlots(ctx: MusterContext, fx: Effects, slots: RoleSlot[], person: PersonId): void {
  markResponded(fx.incident, fx.now);
  for (const slot of slots) {
    slot.state = 'acked';
    slot.ackedBy = person;
    slot.ackedAt = fx.now;
    slot.epoch += 1;
    standDown(ctx, fx, slot, 'acked', person);
    const elapsed = fx.now - slot.startedAt;
    fx.event('slot.acked', { actor: person, role: slot.role, person, data: { elapsedMs: elapsed } });
    fx.toRoom(`ack-${slot.role}-e${slot.epoch}`, ctx.present.notice(
      ctx.present.t('room.acked', {
        role: ctx.present.roleName(slot.role),
        person: ctx.present.personName(person),
        elapsed: ctx.present.elapsed(elapsed),
      }),
    ));
  }
  completeIfAssembled(ctx, fx);
  fx.refreshBoard();
}

export function completeIfAssembled(ctx: MusterContext, fx: Effects): void {
  const incident = fx.incident;
  if (incident.status !== 'assembling') return;
  if (!requiredSlots(incident).every((slot) => slot.state === 'acked')) return;
  incident.status = 'assembled';
  incident.assembledAt = fx.now;
  incident.deadlineEpoch += 1;
  const elapsed = fx.now - incident.declaredAt;
  fx.event('incident.assembled', { actor: SYSTEM, data: { elapsedMs: elapsed, breached: incident.breachedAt !== undefined } });
  fx.toRoom('assembled', ctx.present.notice(ctx.present.t('room.assembled', { elapsed: ctx.present.elapsed(elapsed) }), 'success'));
  finishDrillMuster(ctx, fx);
}

/**
 * Moves an incident to a later stage (mitigated, resolved): the stage time,
 * the timeline entry, the audiences, the war room and the board. The assembly
 * clock stops either way.
 */
function enterStage(ctx: MusterContext, fx: Effects, stage: 'mitigated' | 'resolved', person: string, note: string): void {
  const incident = fx.incident;
  incident.status = stage;
  incident[stage === 'mitigated' ? 'mitigatedAt' : 'resolvedAt'] = fx.now;
  incident.deadlineEpoch += 1;
  const elapsed = fx.now - incident.declaredAt;
  fx.event(stage === 'mitigated' ? 'incident.mitigated' : 'incident.resolved', { actor: person, person, data: { elapsedMs: elapsed, note } });
  notifyAudiences(ctx, fx, stage);
  const params = { id: incident.id, person: ctx.present.personName(person), elapsed: ctx.present.elapsed(elapsed) };
  fx.toRoom(stage, ctx.present.notice(ctx.present.t(stage === 'mitigated' ? 'room.mitigated' : 'room.resolved', params), 'success'));
  fx.refreshBoard();
}

/**
 * Mitigated: the bleeding has stopped. Escalations go on for roles still
 * unstaffed (the team is still needed for the fix), only the status moves.
 */
export function mitigate(ctx: MusterContext, fx: Effects, person: string, note: string): void {
  enterStage(ctx, fx, 'mitigated', person, note);
}

/**
 * Resolving ends the muster: bumping every epoch makes all pending timers
 * stale, slots still paging are cancelled, and whoever they paged stands down.
 * It opens the knowledge task (src/knowledge/timer.ts).
 */
export function resolve(ctx: MusterContext, fx: Effects, person: string, note: string): void {
  for (const slot of fx.incident.slots) {
    slot.epoch += 1;
    if (slot.state !== 'paging') continue;
    slot.state = 'cancelled';
    standDown(ctx, fx, slot, 'resolved');
  }
  enterStage(ctx, fx, 'resolved', person, note);
  openTaskAtResolve(ctx, fx);
}
