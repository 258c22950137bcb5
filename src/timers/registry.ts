import type { Incident } from '../incidents/types.js';
import type { MusterContext } from '../kernel/context.js';
import type { Effects } from '../kernel/effects.js';
import { TIMER_KINDS, type Timer, type TimerKind } from '../ports.js';
import { dueTimers, wakeFor } from './wake.js';

/**
 * A timer kind whose timers an incident's record implies (escalation steps,
 * deadlines, clocks, playbook nudges). `expected` derives them from the
 * record alone — the reconciler re-creates any the queue lacks, and every
 * commit schedules them — and `fire` is a fenced transition over a draft of
 * the incident: it acts only if the record still expects this very timer.
 */
export interface IncidentTimerKind {
  kind: TimerKind;
  scope: 'incident';
  expected(incident: Incident): Timer[];
  fire(ctx: MusterContext, fx: Effects, timer: Timer): void;
}

/**
 * A timer kind its owner plans and re-arms itself (drill plans, reports): not
 * derived from one incident's record, so the reconciler does not re-create it.
 */
export interface OwnedTimerKind {
  kind: TimerKind;
  scope: 'owned';
  fire(timer: Timer): Promise<void>;
}

export type TimerRegistration = IncidentTimerKind | OwnedTimerKind;

/**
 * The one table of timer kinds (src/app.ts puts it together). Every TimerKind
 * has exactly one registration: the constructor refuses a missing or doubled
 * kind, so adding a kind is one new registration and one table line. The
 * table registers `wake` itself: it fires the incident kinds' due timers.
 */
export class TimerTable {
  private readonly byKind = new Map<TimerKind, TimerRegistration>();
  private readonly incidentKinds: IncidentTimerKind[];

  constructor(registrations: TimerRegistration[]) {
    const wake: IncidentTimerKind = { kind: 'wake', scope: 'incident', expected: () => [], fire: (ctx, fx, timer) => this.fireDue(ctx, fx, timer) };
    for (const registration of [...registrations, wake]) {
      if (this.byKind.has(registration.kind)) throw new Error(`timer kind "${registration.kind}" is registered twice`);
      this.byKind.set(registration.kind, registration);
    }
    const missing = TIMER_KINDS.filter((kind) => !this.byKind.has(kind));
    if (missing.length > 0) throw new Error(`timer kinds without a registration: ${missing.join(', ')}`);
    this.incidentKinds = registrations.filter((registration): registration is IncidentTimerKind => registration.scope === 'incident');
  }

  kinds(): TimerKind[] {
    return [...this.byKind.keys()];
  }

  get(kind: TimerKind): TimerRegistration | undefined {
    return this.byKind.get(kind);
  }

  /** Every timer the incident's record expects now, over all incident kinds. */
  expectedTimers(incident: Incident): Timer[] {
    return this.incidentKinds.flatMap((registration) => registration.expected(incident));
  }

  /** What the queue holds for the incident: its one wake, at its earliest expected timer. */
  queuedTimers(incident: Incident): Timer[] {
    const wake = wakeFor(incident.id, this.expectedTimers(incident));
    return wake ? [wake] : [];
  }

  /**
   * A wake fired: every timer the draft expects by then goes through its
   * kind's fenced transition, in this one commit. Each is marked firing, as a
   * timer fired on its own is, so the commit does not ask the queue to remove it.
   */
  private fireDue(ctx: MusterContext, fx: Effects, wake: Timer): void {
    for (const timer of dueTimers(this.expectedTimers(fx.incident), wake, fx.now)) {
      const kind = this.get(timer.kind);
      if (kind?.scope !== 'incident') continue;
      fx.firing.add(timer.id);
      kind.fire(ctx, fx, timer);
    }
  }
}
