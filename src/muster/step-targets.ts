import type { Incident, PersonId, RoleSlot, SnapshotStep } from '../incidents/types.js';
import type { MusterContext } from '../kernel/context.js';

/** One person a step pages, and (when the schedule chose them) the sentence that says why. */
export interface ChosenTarget {
  person: PersonId;
  reason?: string;
}

function optedOut(ctx: MusterContext, incident: Incident, person: PersonId): boolean {
  const schedule = incident.drill?.schedule;
  return schedule !== undefined && (ctx.config.drills[schedule]?.optOut ?? []).includes(person);
}

/**
 * Who an escalation step pages when it runs. A step that pages a position
 * (primary or backup) pages whoever holds it at that moment by the schedule
 * when the pager changed hands since the slot's chain was snapshotted: a
 * rotation handoff, or a cover, swap or take starting, ending or cancelled
 * (the holding's source differs from the step's `heldBy`). The chain's shape
 * (its steps, their times, what each pages) stays the incident's snapshot,
 * and so does the person when nothing changed hands: an edited muster.yaml
 * alone never changes a running incident. Without a schedule in the context,
 * or when it names someone a drill schedule lets opt out, the snapshotted
 * people are paged. The step is updated to say whom it paged and why.
 */
export function stepTargets(ctx: MusterContext, incident: Incident, slot: RoleSlot, step: SnapshotStep, at: number): ChosenTarget[] {
  const snapshot = step.targets.map((person): ChosenTarget => ({ person }));
  const position = step.via === 'primary' || step.via === 'backup' ? step.via : undefined;
  if (!position || !slot.team || !ctx.holders) return snapshot;
  const held = ctx.holders(slot.team, position, at);
  if (!held || optedOut(ctx, incident, held.person)) return snapshot;
  const changedHands = held.source !== (step.heldBy ?? 'rotation') || ctx.holders(slot.team, position, slot.startedAt)?.person !== held.person;
  if (!changedHands && !step.targets.includes(held.person)) return snapshot;
  step.targets = [held.person];
  step.heldBy = held.source;
  return [{ person: held.person, reason: held.reason }];
}
