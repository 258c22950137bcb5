/**
 * Liveness and readiness (issue 8): ready means the store answers a ping, the
 * timer and outbox workers run, and the watchdog beat within two intervals.
 * Details name what failed, never a URL, a password or a stack.
 */
import type { Clock, IncidentStore } from './ports.js';

export interface ReadinessDeps {
  store: Pick<IncidentStore, 'ping'>;
  clock: Clock;
  /** When the workers started; undefined while they don't run. */
  workersStartedAt(): number | undefined;
  watchdog: { lastBeatAt: number | undefined; startedAt: number | undefined; intervalMs: number };
  /** A ping slower than this counts as failed. */
  pingTimeoutMs?: number;
}

export interface Check {
  ok: boolean;
  detail?: string;
}

export interface Readiness {
  ok: boolean;
  checks: { store: Check; workers: Check; watchdog: Check };
}

export async function readiness(deps: ReadinessDeps, onFailure?: (error: unknown) => void): Promise<Readiness> {
  const store = await pingWithin(deps, onFailure);
  const workers: Check = deps.workersStartedAt() !== undefined ? { ok: true } : { ok: false, detail: 'workers not started' };
  const watchdog = watchdogCheck(deps);
  return { ok: store.ok && workers.ok && watchdog.ok, checks: { store, workers, watchdog } };
}

async function pingWithin(deps: ReadinessDeps, onFailure?: (error: unknown) => void): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('ping timed out')), deps.pingTimeoutMs ?? 2_000);
    timer.unref();
  });
  try {
    await Promise.race([deps.store.ping(), timeout]);
    return { ok: true };
  } catch (error) {
    onFailure?.(error);
    return { ok: false, detail: 'store unreachable' };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** The watchdog's last beat (or its start, before the first beat) must be within two intervals. */
function watchdogCheck(deps: ReadinessDeps): Check {
  const { lastBeatAt, startedAt, intervalMs } = deps.watchdog;
  if (startedAt === undefined) return { ok: false, detail: 'watchdog not running' };
  const since = deps.clock.now() - Math.max(lastBeatAt ?? startedAt, startedAt);
  if (since > 2 * intervalMs) return { ok: false, detail: `last beat ${Math.round(since / 1000)}s ago (interval ${Math.round(intervalMs / 1000)}s)` };
  return { ok: true, detail: `last beat ${Math.round(since / 1000)}s ago` };
}
