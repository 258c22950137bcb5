/**
 * Issue 13: the Discord gateway lease handles every promise it makes. A store
 * that starts rejecting while the lease is held (renewal fails, the release
 * fails, and the gateway's disconnect fails too) must end in warnings and a
 * lease given up and retried, never in an unhandled rejection (which ends a
 * Node 20 process).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayLease } from '../../adapters/discord/lease.js';
import type { Logger } from '../../src/logger.js';

const listeners: Array<(reason: unknown) => void> = [];
afterEach(() => {
  for (const listener of listeners.splice(0)) process.off('unhandledRejection', listener);
});

function watchUnhandled(): unknown[] {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => void seen.push(reason);
  listeners.push(listener);
  process.on('unhandledRejection', listener);
  return seen;
}

/** A logger that resolves `waitFor(message)` once a line with that message was logged. */
function waitingLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const waiters: Array<{ message: string; resolve: () => void }> = [];
  const at = (level: string) => (_fields: object, message: string) => {
    lines.push({ level, message });
    for (const waiter of waiters.filter((w) => w.message === message)) waiter.resolve();
  };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const waitFor = (message: string) =>
    lines.some((line) => line.message === message) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ message, resolve }));
  return { logger, lines, waitFor };
}

describe('GatewayLease with a store that starts rejecting while held', () => {
  it('gives the lease up with warnings, keeps retrying, and leaves no unhandled rejection', async () => {
    const unhandled = watchUnhandled();
    const { logger, lines, waitFor } = waitingLogger();
    let clock = 0;
    let acquires = 0;
    let failing = false;
    let afterFailure: (() => void) | undefined;
    const retried = new Promise<void>((resolve) => (afterFailure = resolve));
    const store = {
      acquireLease: async () => {
        acquires += 1;
        if (failing && acquires > 4) afterFailure?.();
        if (failing) throw new Error('READONLY You can\'t write against a read only replica.');
        return true;
      },
      releaseLease: (): Promise<void> => {
        throw new Error('connection is closed'); // synchronously, not even a promise
      },
    };
    const lease = new GatewayLease({
      store, owner: 'replica-a', logger, ttlMs: 40, renewMs: 1, retryMs: 1, now: () => clock,
      onAcquired: async () => {},
      onLost: async () => {
        throw new Error('gateway already destroyed');
      },
    });
    lease.start();
    await waitFor('took the Discord gateway lease; connecting');
    expect(lease.holding).toBe(true);
    failing = true;
    clock = 1_000; // past half the TTL: a failed renewal now means the lease may be someone else's
    await waitFor('Discord gateway lease released; disconnecting');
    // Several more steps after the loss, so any rejection left over would have been reported by now.
    await retried;
    await lease.stop();
    expect(lease.holding).toBe(false);
    expect(unhandled).toEqual([]);
    const warnings = lines.filter((line) => line.level === 'warn').map((line) => line.message);
    expect(warnings).toEqual(expect.arrayContaining([
      'could not reach the store to take or renew the Discord gateway lease',
      'could not disconnect the Discord gateway cleanly',
      'could not give the Discord gateway lease back; it lapses after its TTL',
    ]));
  });
});
