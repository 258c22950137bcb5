/**
 * Redis clients built the way src/main.ts builds them for production, and a
 * SCAN+DEL cleanup so the bench leaves Redis as it found it.
 */
import { Redis } from 'ioredis';
import { COMMAND_CLIENT_OPTIONS, QUEUE_CLIENT_OPTIONS } from '../src/main/redis-options.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** "redis://user:secret@host" -> "redis://user:***@host". */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:@/\s]*):[^@/\s]*@/, '$1:***@');
}

export interface Clients {
  /** For RedisStore: fail fast instead of queueing while Redis is away. */
  commands: Redis;
  /** For BullMQ queues (and duplicated for their workers). */
  queues: Redis;
  close(): Promise<void>;
}

export async function connectClients(): Promise<Clients> {
  // Production's client options (src/main/runtime.ts), auto-pipelining included.
  const commands = new Redis(REDIS_URL, { lazyConnect: true, ...COMMAND_CLIENT_OPTIONS });
  const queues = new Redis(REDIS_URL, { lazyConnect: true, ...QUEUE_CLIENT_OPTIONS });
  for (const client of [commands, queues]) {
    client.on('error', (error: Error) => process.stderr.write(`[bench] redis: ${error.message}\n`));
  }
  try {
    await Promise.all([commands.connect(), queues.connect()]);
    await commands.ping();
  } catch (error) {
    commands.disconnect();
    queues.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot reach Redis at ${redact(REDIS_URL)} (${reason}); start redis-server or set REDIS_URL`);
  }
  return {
    commands,
    queues,
    close: async () => {
      await Promise.all([quit(commands), quit(queues)]);
    },
  };
}

export async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  await client.quit().catch(() => client.disconnect());
}

/** Deletes every key under `prefix` (which must not contain glob characters); returns how many. */
export async function deleteByPrefix(prefix: string): Promise<number> {
  if (/[*?[\]\\]/.test(prefix) || prefix.length < 8) throw new Error(`refusing to delete keys under "${prefix}"`);
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 3, retryStrategy: (times) => (times > 3 ? null : 200) });
  client.on('error', () => {});
  let deleted = 0;
  try {
    // Two passes: a worker closing late could still have written a key during the first.
    for (let pass = 0; pass < 2; pass += 1) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await client.del(...keys);
      } while (cursor !== '0');
    }
    return deleted;
  } finally {
    await quit(client);
  }
}

/** Keys still under `prefix` (should be 0 after cleanup). */
export async function countByPrefix(prefix: string): Promise<number> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 3, retryStrategy: (times) => (times > 3 ? null : 200) });
  client.on('error', () => {});
  try {
    let cursor = '0';
    let count = 0;
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  } finally {
    await quit(client);
  }
}
