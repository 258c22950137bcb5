import type { Clock, Scheduler, Timer, TimerHandler } from '../../src/ports.js';

/**
 * In-process scheduler: timers are setTimeout calls and die with the process.
 * Not for production — use the BullMQ scheduler (REDIS_URL).
 *
 * With a ManualClock, call `runDue()` after advancing the clock instead of
 * waiting for real time; tests use that to play a 15-minute muster instantly.
 */
/** The longest delay setTimeout honours. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class InProcessScheduler implements Scheduler {
  private readonly timers = new Map<string, Timer>();
  private readonly handles = new Map<string, NodeJS.Timeout>();
  private handler: TimerHandler | undefined;
  /** Repeating alarms: each firing schedules the next. */
  private readonly repeats = new Map<string, { everyMs: number; timer: Omit<Timer, 'id' | 'dueAt'> }>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: { realTime: boolean } = { realTime: true },
  ) {}

  async schedule(timer: Timer): Promise<void> {
    if (this.closed || this.timers.has(timer.id)) return;
    this.timers.set(timer.id, { ...timer });
    if (this.handler) this.arm(timer);
  }

  async scheduleAll(timers: Timer[]): Promise<void> {
    for (const timer of timers) await this.schedule(timer);
  }

  async repeat(id: string, everyMs: number, timer: Omit<Timer, 'id' | 'dueAt'>): Promise<void> {
    this.repeats.set(id, { everyMs, timer });
    await this.schedule({ ...timer, id: `${id}-${this.clock.now() + everyMs}`, dueAt: this.clock.now() + everyMs });
  }

  async cancel(ids: string[]): Promise<void> {
    for (const id of ids) {
      this.timers.delete(id);
      const handle = this.handles.get(id);
      if (handle) clearTimeout(handle);
      this.handles.delete(id);
    }
  }

  async start(handler: TimerHandler): Promise<void> {
    this.handler = handler;
    for (const timer of this.timers.values()) this.arm(timer);
  }

  async pendingIds(): Promise<string[]> {
    return [...this.timers.keys()];
  }

  /** Fires every timer due by the clock's now, in due order, awaiting each handler. */
  async runDue(): Promise<number> {
    let fired = 0;
    for (;;) {
      const due = [...this.timers.values()]
        .filter((timer) => timer.dueAt <= this.clock.now())
        .sort((a, b) => a.dueAt - b.dueAt || a.id.localeCompare(b.id));
      const next = due[0];
      if (!next) return fired;
      await this.fire(next.id);
      fired += 1;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const handle of this.handles.values()) clearTimeout(handle);
    this.handles.clear();
  }

  private rearm(fired: Timer): void {
    for (const [id, repeat] of this.repeats) {
      if (!fired.id.startsWith(`${id}-`)) continue;
      const dueAt = fired.dueAt + repeat.everyMs;
      void this.schedule({ ...repeat.timer, id: `${id}-${dueAt}`, dueAt });
    }
  }

  private arm(timer: Timer): void {
    if (!this.options.realTime || this.handles.has(timer.id)) return;
    const delay = Math.max(0, timer.dueAt - this.clock.now());
    // setTimeout fires at once (after 1 ms) for a delay past 2^31-1 ms (~24.8
    // days), so a drill planned weeks ahead would start now: wait in steps.
    const handle =
      delay > MAX_TIMEOUT_MS
        ? setTimeout(() => {
            this.handles.delete(timer.id);
            if (this.timers.has(timer.id) && !this.closed) this.arm(timer);
          }, MAX_TIMEOUT_MS)
        : setTimeout(() => this.fireWhenDue(timer), delay);
    this.handles.set(timer.id, handle);
  }

  /**
   * setTimeout may run a moment before the clock says the timer is due (and a
   * test's clock moves only when told): then it waits again, so a timer never
   * fires before its time by this scheduler's clock.
   */
  private fireWhenDue(timer: Timer): void {
    this.handles.delete(timer.id);
    if (!this.timers.has(timer.id) || this.closed) return;
    if (timer.dueAt > this.clock.now()) {
      this.handles.set(timer.id, setTimeout(() => this.fireWhenDue(timer), Math.max(1, timer.dueAt - this.clock.now())));
      return;
    }
    void this.fire(timer.id);
  }

  private async fire(id: string): Promise<void> {
    const timer = this.timers.get(id);
    const handler = this.handler;
    if (!timer || !handler || this.closed) return;
    this.timers.delete(id);
    const handle = this.handles.get(id);
    if (handle) clearTimeout(handle);
    this.handles.delete(id);
    this.rearm(timer);
    try {
      await handler(timer);
    } catch {
      // The handler logs its own failures; the reconciler re-creates the timer
      // from the record, exactly as after a crash in production.
    }
  }
}
