import type { Timer } from '../ports.js';

/**
 * One queued timer per incident: its wake, due when the earliest timer its
 * record expects comes due.
 *
 * Why: every escalation step, deadline, clock and nudge as its own queued job
 * cost one queue script per timer at every declare (ten for a P1) and one job
 * per firing, so five roles due at one moment were five jobs, five reads and
 * five commits. The record already says every timer it expects (the timer
 * table), so the queue only has to say "look at this incident again at T":
 * the wake reads the record once and fires, in one commit, every expected
 * timer due by then. Each kind's transition still fences on its own timer
 * (src/timers/registry.ts), so a late, repeated or stale wake is harmless.
 *
 * Contract: the id names the incident and the due time, so scheduling the
 * same wake twice keeps one, and a commit that moves the earliest due time
 * schedules a new wake and cancels the one it replaced.
 */
export function wakeTimer(incident: string, dueAt: number | undefined): Timer | undefined {
  if (dueAt === undefined) return undefined;
  return { id: `wake-${incident}-${dueAt}`, dueAt, incident, kind: 'wake', key: 'next', epoch: dueAt };
}

/** When the earliest of a record's expected timers comes due (its wake; the watchdog's next-due index). */
export function nextDueAt(expected: readonly Timer[]): number | undefined {
  return expected.length === 0 ? undefined : Math.min(...expected.map((timer) => timer.dueAt));
}

/** The wake a record with these expected timers needs queued (none when it expects nothing). */
export function wakeFor(incident: string, expected: readonly Timer[]): Timer | undefined {
  return wakeTimer(incident, nextDueAt(expected));
}

/**
 * The expected timers a wake fires: those due by now, or by the wake's own
 * time when a replica's clock runs a little behind the one that queued it (a
 * wake is never due before the earliest timer it was made for). Soonest first,
 * then by id, the order separate timers fired in.
 */
export function dueTimers(expected: readonly Timer[], wake: Timer, now: number): Timer[] {
  const until = Math.max(now, wake.dueAt);
  return expected.filter((timer) => timer.dueAt <= until).sort((a, b) => a.dueAt - b.dueAt || a.id.localeCompare(b.id));
}
