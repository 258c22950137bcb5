import { randomUUID } from 'node:crypto';
import type { IncidentStore } from '../ports.js';

export type LeaseStore = Pick<IncidentStore, 'acquireLease' | 'releaseLease'>;

export interface LeaseOptions {
  /** How long the lease lives if its holder dies without releasing it. */
  ttlMs: number;
  /** How long to wait for a busy lease before giving up. */
  waitMs: number;
  /** Pause between tries (real time: leases live in the store, not on the app clock). */
  pollMs?: number;
}

/** Raised when another holder kept the lease for longer than the wait. */
export class LeaseBusyError extends Error {
  override readonly name = 'LeaseBusyError';
}

/**
 * Runs `work` while holding the store lease `key`, so every process and
 * replica doing the same work runs it one at a time. The lease is released
 * afterwards, even when the work throws; a holder that dies frees it after ttlMs.
 * Each call holds it under its own token: a store lease is re-entrant for its
 * owner, and two calls in one process must wait for each other too.
 */
export async function withLease<T>(store: LeaseStore, key: string, owner: string, options: LeaseOptions, work: () => Promise<T>): Promise<T> {
  const holder = `${owner}/${randomUUID()}`;
  const until = Date.now() + options.waitMs;
  while (!(await store.acquireLease(key, holder, options.ttlMs))) {
    if (Date.now() > until) throw new LeaseBusyError(`${key} is held elsewhere`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 25));
  }
  try {
    return await work();
  } finally {
    await store.releaseLease(key, holder).catch(() => undefined);
  }
}
