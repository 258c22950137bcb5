/** How production talks to Redis: one client for the store's commands, one for BullMQ's queues. */

/** The store's connection (bench/redis.ts uses the same, so its figures are production's). */
export const COMMAND_CLIENT_OPTIONS = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  // A command Redis never answers (a stalled server, a half-open socket) fails instead of holding a send claim or a reply.
  commandTimeout: 5_000,
  // Many small independent commands per declare: one write per event-loop tick.
  enableAutoPipelining: true,
} as const;

/** BullMQ's queues (their workers duplicate it for blocking reads). */
export const QUEUE_CLIENT_OPTIONS = { maxRetriesPerRequest: null, connectTimeout: 5_000 } as const;
