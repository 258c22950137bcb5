import type { ChangeStatus, ShiftChange } from './types.js';

/**
 * Where shift changes live: the memory store (adapters/memory/shift-changes.ts,
 * embedded mode only) and Redis (adapters/redis/shift-changes.ts). One
 * contract suite (test/contract/shift-changes.contract.test.ts) runs on both.
 */

export type InsertResult = { ok: true } | { ok: false; conflicts: ShiftChange[] };

export interface ChangeFilter {
  team?: string;
  /** Only changes whose last leg ends after this instant. */
  endsAfter?: number;
  statuses?: readonly ChangeStatus[];
}

export interface ShiftChangeStore {
  /** The next change number (CHG-<n>); never reused. */
  nextChangeNumber(): Promise<number>;
  /**
   * Inserts `change` in one atomic step unless a pending or accepted change of
   * the same team and position overlaps one of its legs; then nothing is
   * written and the overlapping changes are returned. With `allowOverlap`
   * (a take) it is written anyway and the overlapped changes are still
   * returned in `overlapped` so the reply can name them.
   */
  insert(change: ShiftChange, options?: { allowOverlap?: boolean }): Promise<InsertResult & { overlapped?: ShiftChange[] }>;
  get(id: string): Promise<ShiftChange | undefined>;
  /** Matching changes, by first leg start (oldest first). */
  list(filter?: ChangeFilter): Promise<ShiftChange[]>;
  /**
   * Replaces the stored change when its stored version is `change.version - 1`
   * (the writer's read); returns false, writing nothing, otherwise.
   */
  update(change: ShiftChange): Promise<boolean>;
  /** The salt of a calendar feed ("team:payments", "person:ann"); undefined until first rotated. */
  feedSalt(feed: string): Promise<string | undefined>;
  setFeedSalt(feed: string, salt: string): Promise<void>;
}
