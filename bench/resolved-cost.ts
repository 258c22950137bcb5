/**
 * What one resolved incident costs in Redis: N P1s are declared, every role
 * acknowledges, each is resolved; then keys and bytes (MEMORY USAGE, exact)
 * under the bench prefix are counted, store and BullMQ apart, per incident.
 * Then `archiveResolved` removes them and the count is taken again.
 * Run: npx tsx bench/resolved-cost.ts [N]   (prints a table, then a JSON line)
 */
import { randomUUID } from 'node:crypto';
import { RedisResolvedIncidents } from '../adapters/redis/retention.js';
import { RedisStore } from '../adapters/redis/store.js';
import { archiveResolved } from '../src/retention/archive.js';
import { FIRST_PAGED, declareRequest } from './config.js';
import { drainOutbox, startProductionMuster } from './declare.js';
import { connectClients, deleteByPrefix, type Clients } from './redis.js';

const ROLES = ['commander', 'tech', 'ops', 'product', 'comms'];

interface Usage {
  storeKeys: number;
  storeBytes: number;
  /** Keys with a TTL (delivery claims, delivered markers, request ids): they leave by themselves. */
  expiringKeys: number;
  expiringBytes: number;
  bullKeys: number;
  bullBytes: number;
}

async function usage(clients: Clients, prefix: string): Promise<Usage> {
  const result: Usage = { storeKeys: 0, storeBytes: 0, expiringKeys: 0, expiringBytes: 0, bullKeys: 0, bullBytes: 0 };
  let cursor = '0';
  do {
    const [next, keys] = await clients.commands.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const bytes = Number(await clients.commands.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
      if (key.startsWith(`${prefix}bull:`)) {
        result.bullKeys += 1;
        result.bullBytes += bytes;
      } else if ((await clients.commands.pttl(key)) > 0) {
        result.expiringKeys += 1;
        result.expiringBytes += bytes;
      } else {
        result.storeKeys += 1;
        result.storeBytes += bytes;
      }
    }
  } while (cursor !== '0');
  return result;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100);
  const clients = await connectClients();
  const prefix = `bench:{${randomUUID()}}:`;
  try {
    const bot = await startProductionMuster(clients, prefix);
    const empty = await usage(clients, prefix);
    for (let i = 1; i <= n; i += 1) {
      const reply = await bot.muster.dispatch(declareRequest(`cost-${i}`));
      const id = /\bINC-\d+\b/.exec(reply.message.text)?.[0];
      if (!id) throw new Error(`declare failed: ${reply.message.text}`);
      await bot.chat.allPaged(id, 60_000);
      bot.chat.forget(id);
      for (const [index, person] of FIRST_PAGED.entries()) {
        await bot.muster.dispatch({ name: 'incident', args: `ack ${id} ${ROLES[index]}`, actor: `console:${person}`, conversation: 'console:#bench', requestId: `ack-${id}-${person}` });
      }
      await bot.muster.dispatch({ name: 'incident', args: `resolve ${id} fixed`, actor: 'console:alice', conversation: 'console:#bench', requestId: `resolve-${id}` });
    }
    await drainOutbox(bot.outbox);
    const resolved = await usage(clients, prefix);
    if (process.env.COST_KEYS) {
      const sample = await clients.commands.scan('0', 'MATCH', `${prefix}*INC-7*`, 'COUNT', 100000);
      for (const key of sample[1].sort()) process.stdout.write(`${key.slice(prefix.length)} ttl=${await clients.commands.pttl(key)}\n`);
    }
    const store = new RedisStore(clients.commands, { prefix });
    const archive = await archiveResolved({ store, resolved: new RedisResolvedIncidents(clients.commands, { prefix }), before: Date.now() + 1, sink: { write: () => {}, flush: () => {} } });
    const archived = await usage(clients, prefix);
    await bot.stop();
    const per = (after: number, before: number) => Math.round(((after - before) / n) * 10) / 10;
    const figures = {
      resolved_incidents: n,
      store_keys_per_resolved: per(resolved.storeKeys, empty.storeKeys),
      store_bytes_per_resolved: per(resolved.storeBytes, empty.storeBytes),
      expiring_keys_per_resolved: per(resolved.expiringKeys, empty.expiringKeys),
      expiring_bytes_per_resolved: per(resolved.expiringBytes, empty.expiringBytes),
      bull_keys_per_resolved: per(resolved.bullKeys, empty.bullKeys),
      bull_bytes_per_resolved: per(resolved.bullBytes, empty.bullBytes),
      archived: archive.archived,
      store_keys_per_archived: per(archived.storeKeys, empty.storeKeys),
      store_bytes_per_archived: per(archived.storeBytes, empty.storeBytes),
      expiring_keys_per_archived: per(archived.expiringKeys, empty.expiringKeys),
    };
    for (const [name, value] of Object.entries(figures)) process.stdout.write(`${name.padEnd(28)} ${value}\n`);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await deleteByPrefix(prefix);
    await clients.close();
  }
}

await main();
