import type { Incident } from '../incidents/types.js';
import type { MusterContext } from '../kernel/context.js';
import type { Effects } from '../kernel/effects.js';
import type { Timer } from '../ports.js';
import type { IncidentTimerKind } from '../timers/registry.js';
import { runDueSteps } from './transitions.js';

/** The next escalation step of every slot still paging; fenced by the slot's epoch and step. */
function expected(incident: Incident): Timer[] {
  if (incident.status === 'resolved') return [];
  return incident.slots.flatMap((slot): Timer[] => {
    const step = slot.chain[slot.nextStep];
    if (slot.state !== 'paging' || !step) return [];
    return [{
      id: `esc-${incident.id}-${slot.role}-e${slot.epoch}-s${slot.nextStep}`,
      dueAt: slot.startedAt + step.atMs,
      incident: incident.id,
      kind: 'escalate',
      key: slot.role,
      epoch: slot.epoch,
      step: slot.nextStep,
    }];
  });
}

/** A fenced escalation timer fired: act only if the slot still expects this very step. */
function fire(ctx: MusterContext, fx: Effects, timer: Timer): void {
  const slot = fx.incident.slots.find((candidate) => candidate.role === timer.key);
  if (!slot || fx.incident.status === 'resolved') return;
  if (slot.state !== 'paging' || slot.epoch !== timer.epoch || slot.nextStep !== timer.step) return;
  runDueSteps(ctx, fx, slot, Math.max(fx.now, timer.dueAt));
}

export const escalationTimer: IncidentTimerKind = { kind: 'escalate', scope: 'incident', expected, fire };
