import { expectedTimers } from '../../src/app.js';
import type { IncidentStore, Scheduler } from '../../src/ports.js';
import { wakeFor } from '../../src/timers/wake.js';

/**
 * The ids of the timers that will fire for an incident: those its record
 * expects, provided the queue holds the incident's wake for the earliest of
 * them (src/timers/wake.ts); none when the wake is missing. Tests read timers
 * through this, as the queue holds one wake per incident, not a job per timer.
 */
export async function armedTimers(store: IncidentStore, scheduler: Scheduler, incident: string): Promise<string[]> {
  const record = await store.get(incident);
  if (!record) return [];
  const expected = expectedTimers(record);
  const wake = wakeFor(incident, expected);
  if (!wake || !(await scheduler.pendingIds()).includes(wake.id)) return [];
  return expected.map((timer) => timer.id);
}

/** The wakes queued for an incident (one at most, unless a stale one was left behind). */
export async function queuedWakes(scheduler: Scheduler, incident: string): Promise<string[]> {
  return (await scheduler.pendingIds()).filter((id) => id.startsWith(`wake-${incident}-`));
}
