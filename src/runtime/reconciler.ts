import type { Logger } from '../logger.js';
import { expectedTimers } from '../muster/transitions.js';
import type { Clock, IncidentStore, Outbox, Scheduler } from '../ports.js';

export interface ReconcileReport {
  incidents: number;
  timers: number;
  overdue: Array<{ id: string; lateMs: number }>;
  messages: number;
}

/**
 * Makes the queues match the records: every timer an active incident expects
 * is (re)scheduled and every committed-but-undelivered message is (re)queued.
 * Both are idempotent by id, so running this at start, and again from the
 * watchdog, never doubles anything.
 */
export async function reconcile(
  deps: { store: IncidentStore; scheduler: Scheduler; outbox: Outbox; clock: Clock },
  overdueAfterMs = 60_000,
): Promise<ReconcileReport> {
  const active = await deps.store.listActive();
  const now = deps.clock.now();
  const report: ReconcileReport = { incidents: active.length, timers: 0, overdue: [], messages: 0 };
  for (const incident of active) {
    for (const timer of expectedTimers(incident)) {
      await deps.scheduler.schedule(timer);
      report.timers += 1;
      const lateMs = now - timer.dueAt;
      if (lateMs > overdueAfterMs) report.overdue.push({ id: timer.id, lateMs });
    }
  }
  const pending = await deps.store.pendingOutbox();
  await deps.outbox.enqueue(pending);
  report.messages = pending.length;
  return report;
}

/**
 * Runs the reconciler on an interval, reports steps overdue by more than a
 * minute, and records a heartbeat the health check can read.
 */
export class Watchdog {
  private handle: NodeJS.Timeout | undefined;
  lastBeatAt: number | undefined;
  lastReport: ReconcileReport | undefined;

  constructor(
    private readonly deps: { store: IncidentStore; scheduler: Scheduler; outbox: Outbox; clock: Clock; logger: Logger },
    private readonly intervalMs = 15_000,
  ) {}

  start(): void {
    this.handle = setInterval(() => void this.beat(), this.intervalMs);
    this.handle.unref();
  }

  async beat(): Promise<ReconcileReport | undefined> {
    try {
      const report = await reconcile(this.deps);
      this.lastBeatAt = this.deps.clock.now();
      this.lastReport = report;
      if (report.overdue.length > 0) this.deps.logger.warn({ overdue: report.overdue }, 'escalation steps are overdue by more than a minute');
      await this.deps.store.setValue('watchdog:heartbeat', String(this.lastBeatAt));
      return report;
    } catch (error) {
      this.deps.logger.warn({ err: error instanceof Error ? error.message : error }, 'watchdog could not reconcile (store down?); will retry');
      return undefined;
    }
  }

  stop(): void {
    if (this.handle) clearInterval(this.handle);
  }
}
