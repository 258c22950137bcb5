import type { Logger } from '../logger.js';
import type { Incident } from '../incidents/types.js';
import { nextDueAt, wakeFor } from './wake.js';
import type { Clock, IncidentStore, OutboundMessage, Outbox, Scheduler, Timer } from '../ports.js';

/** What the reconciler needs: the queues, the records, and the timer table's view of a record. */
export interface ReconcileDeps {
  store: IncidentStore;
  scheduler: Scheduler;
  outbox: Outbox;
  clock: Clock;
  /** Every timer an incident's record expects (TimerTable.expectedTimers). */
  expectedTimers: (incident: Incident) => Timer[];
  /** Resolved incidents whose timers outlive the active set (open knowledge tasks). */
  moreIncidents?: () => Promise<Incident[]>;
}

export interface ReconcileReport {
  incidents: number;
  timers: number;
  overdue: Array<{ id: string; lateMs: number }>;
  messages: number;
  /** Where the next bounded pass goes on reading the pending outbox ('0': from the start). */
  outboxCursor: string;
}

/**
 * `all` (at start): every active incident and every pending message, and the
 * next-due index written for records committed before it existed. `due` (the
 * watchdog, every 15 s on every replica): only incidents whose earliest timer
 * has come due (a timer lost from the queue keeps its incident there) and one
 * page of the pending outbox, so a pass costs what is due, not the history.
 */
export interface ReconcileScope {
  scope: 'all' | 'due';
  outboxCursor?: string;
  overdueAfterMs?: number;
}

/**
 * Makes the queues match the records: the wake of every active incident (or
 * one `moreIncidents` names) that expects a timer is queued if the queue
 * lacks it, and every committed-but-undelivered message is (re)queued.
 * Both are idempotent by id, so running this at start, and again from the
 * watchdog, never doubles anything.
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileScope = { scope: 'all' }): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const active = options.scope === 'all' ? await everyIncident(deps) : await deps.store.listDue(now, DUE_LIMIT);
  const expected = active.map((incident) => ({ incident, timers: deps.expectedTimers(incident) }));
  if (options.scope === 'all') await deps.store.reindex(expected.map(({ incident, timers }) => ({ incident, nextDueAt: nextDueAt(timers) })));
  const timers = expected.flatMap((entry) => entry.timers);
  const overdueAfterMs = options.overdueAfterMs ?? 60_000;
  const overdue = timers
    .map((timer) => ({ id: timer.id, lateMs: now - timer.dueAt }))
    .filter((entry) => entry.lateMs > overdueAfterMs);
  // Only what the queue lacks (lost, or failed for good) is handed on again:
  // re-adding every expected timer cost one state read and one add per timer
  // per pass, on every replica, every 15 s.
  // What the queue holds for an incident is its one wake (src/timers/wake.ts).
  const wakes = expected.flatMap(({ incident, timers: its }) => wakeFor(incident.id, its) ?? []);
  const queued = wakes.length > 0 ? new Set(await deps.scheduler.pendingIds()) : new Set<string>();
  const missing = wakes.filter((timer) => !queued.has(timer.id));
  for (let start = 0; start < missing.length; start += BATCH) {
    await deps.scheduler.scheduleAll(missing.slice(start, start + BATCH), { revive: true });
  }
  const { pending, outboxCursor } = await pendingMessages(deps.store, options);
  for (let start = 0; start < pending.length; start += BATCH) {
    await deps.outbox.enqueue(pending.slice(start, start + BATCH), { revive: true });
  }
  return { incidents: active.length, timers: timers.length, overdue, messages: pending.length, outboxCursor };
}

async function everyIncident(deps: ReconcileDeps): Promise<Incident[]> {
  const listed = await deps.store.listActive();
  const more = deps.moreIncidents ? await deps.moreIncidents() : [];
  const ids = new Set(listed.map((incident) => incident.id));
  return [...listed, ...more.filter((incident) => !ids.has(incident.id))];
}

async function pendingMessages(store: IncidentStore, options: ReconcileScope): Promise<{ pending: OutboundMessage[]; outboxCursor: string }> {
  if (options.scope === 'all') return { pending: await store.pendingOutbox(), outboxCursor: '0' };
  const page = await store.pendingOutboxPage(options.outboxCursor ?? '0', BATCH);
  return { pending: page.messages, outboxCursor: page.cursor };
}

/** Incidents a watchdog pass visits at most; the rest wait for the next pass (15 s later). */
const DUE_LIMIT = 1_000;

/** Timers or messages handed on per round trip: big enough to be quick, small enough not to stall Redis. */
const BATCH = 500;

/**
 * Runs the reconciler on an interval, reports steps overdue by more than a
 * minute, and records a heartbeat the health check can read.
 */
export class Watchdog {
  private handle: NodeJS.Timeout | undefined;
  lastBeatAt: number | undefined;
  lastReport: ReconcileReport | undefined;
  /** When start() ran; undefined while stopped (the readiness check reads it). */
  startedAt: number | undefined;

  constructor(
    private readonly deps: ReconcileDeps & { logger: Logger },
    readonly intervalMs = 15_000,
  ) {}

  start(): void {
    this.startedAt = this.deps.clock.now();
    this.handle = setInterval(() => void this.beat(), this.intervalMs);
    this.handle.unref();
  }

  private running = false;

  /** One pass at a time: a pass slower than the interval is skipped, never stacked. */
  async beat(): Promise<ReconcileReport | undefined> {
    if (this.running) return undefined;
    this.running = true;
    try {
      const report = await reconcile(this.deps, { scope: 'due', outboxCursor: this.lastReport?.outboxCursor ?? '0' });
      this.lastBeatAt = this.deps.clock.now();
      this.lastReport = report;
      if (report.overdue.length > 0) this.deps.logger.warn({ overdue: report.overdue }, 'escalation steps are overdue by more than a minute');
      await this.deps.store.setValue('watchdog:heartbeat', String(this.lastBeatAt));
      return report;
    } catch (error) {
      this.deps.logger.warn({ err: error instanceof Error ? error.message : error }, 'watchdog could not reconcile (store down?); will retry');
      return undefined;
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.startedAt = undefined;
    if (this.handle) clearInterval(this.handle);
  }
}
