/** Tries of an idempotent platform call lost in transit (no answer, a timeout, a 5xx). */
const TRANSIT_ATTEMPTS = 3;

/**
 * Runs an idempotent platform call, trying it twice more, shortly (200 ms,
 * then 400 ms), when `lostInTransit` says the failure is one another try may
 * not see. `withinMs`: no new try once that long has passed since the first
 * began, for a call a page waits on after its fence was checked. Any other
 * error, or the last one, passes through unchanged.
 */
export async function againInTransit<T>(work: () => Promise<T>, lostInTransit: (error: unknown) => boolean, withinMs = Infinity): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const backoffMs = 200 * attempt;
      if (!lostInTransit(error) || attempt >= TRANSIT_ATTEMPTS || Date.now() + backoffMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
    }
  }
}
