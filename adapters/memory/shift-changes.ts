import type { ChangeFilter, InsertResult, ShiftChangeStore } from '../../src/schedules/ports.js';
import { changeEnd, changesOverlap, OPEN_STATUSES, type ShiftChange } from '../../src/schedules/types.js';

/**
 * Shift changes in process memory: embedded mode and tests only, NOT for
 * production (nothing survives a restart and replicas do not share it).
 * Each method runs to completion without awaiting, so inserts are atomic
 * within the process, like the Redis store's Lua scripts.
 */
export class MemoryShiftChangeStore implements ShiftChangeStore {
  private readonly changes = new Map<string, ShiftChange>();
  private readonly salts = new Map<string, string>();
  private counter = 0;

  async nextChangeNumber(): Promise<number> {
    return ++this.counter;
  }

  async insert(change: ShiftChange, options: { allowOverlap?: boolean } = {}): Promise<InsertResult & { overlapped?: ShiftChange[] }> {
    const overlapping = [...this.changes.values()].filter((other) => OPEN_STATUSES.includes(other.status) && changesOverlap(change, other));
    if (this.changes.has(change.id)) return { ok: false, conflicts: [structuredClone(this.changes.get(change.id) as ShiftChange)] };
    if (overlapping.length > 0 && !options.allowOverlap) return { ok: false, conflicts: overlapping.map((c) => structuredClone(c)) };
    this.changes.set(change.id, structuredClone(change));
    return { ok: true, overlapped: overlapping.map((c) => structuredClone(c)) };
  }

  async get(id: string): Promise<ShiftChange | undefined> {
    const change = this.changes.get(id);
    return change ? structuredClone(change) : undefined;
  }

  async list(filter: ChangeFilter = {}): Promise<ShiftChange[]> {
    return [...this.changes.values()]
      .filter((c) => filter.team === undefined || c.team === filter.team)
      .filter((c) => filter.endsAfter === undefined || changeEnd(c) > filter.endsAfter)
      .filter((c) => filter.statuses === undefined || filter.statuses.includes(c.status))
      .sort((a, b) => firstStart(a) - firstStart(b) || a.requestedAt - b.requestedAt)
      .map((c) => structuredClone(c));
  }

  async update(change: ShiftChange): Promise<boolean> {
    const stored = this.changes.get(change.id);
    if (!stored || stored.version !== change.version - 1) return false;
    this.changes.set(change.id, structuredClone(change));
    return true;
  }

  async feedSalt(feed: string): Promise<string | undefined> {
    return this.salts.get(feed);
  }

  async setFeedSalt(feed: string, salt: string): Promise<void> {
    this.salts.set(feed, salt);
  }
}

const firstStart = (change: ShiftChange): number => Math.min(...change.legs.map((leg) => leg.start));
