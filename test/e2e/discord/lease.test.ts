import { afterEach, describe, expect, it } from 'vitest';
import { DiscordAdapter } from '../../../adapters/discord/app.js';
import { GatewayLease } from '../../../adapters/discord/lease.js';
import { MemoryStore } from '../../../adapters/memory/store.js';
import type { CommandRequest, Reply } from '../../../src/kernel/request.js';
import { discordConfig, recordingLogger } from '../../support/discord/bot.js';
import { FakeDiscord } from '../../support/discord/fake-discord.js';

/**
 * Two replicas sharing one store compete for the gateway lease; each connects a real discord.js
 * gateway client to the fake when it holds the lease. Short TTLs stand in for the 30 s of production.
 */

const TIMINGS = { ttlMs: 400, renewMs: 100, retryMs: 50 };
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A store a replica reaches through; `dead` makes it unreachable, as when that replica's process hangs or its network drops. */
function reachableStore(store: MemoryStore) {
  const link = {
    dead: false,
    acquireLease: (key: string, owner: string, ttlMs: number) => (link.dead ? Promise.reject(new Error('dead')) : store.acquireLease(key, owner, ttlMs)),
    releaseLease: (key: string, owner: string) => (link.dead ? Promise.reject(new Error('dead')) : store.releaseLease(key, owner)),
  };
  return link;
}

function replica(fake: FakeDiscord, store: MemoryStore, name: string) {
  const seen: CommandRequest[] = [];
  const dispatch = async (request: CommandRequest): Promise<Reply> => {
    seen.push(request);
    return { visibility: 'ephemeral', message: { text: `${name} here` } };
  };
  const logger = recordingLogger();
  const settings = { token: fake.botToken, applicationId: fake.applicationId, guildId: fake.guildId, apiUrl: fake.apiUrl };
  const adapter = new DiscordAdapter(settings, dispatch, discordConfig(), logger, () => {});
  const link = reachableStore(store);
  const lease = new GatewayLease({ store: link, owner: name, logger, onAcquired: () => adapter.start(), onLost: () => adapter.stop(), ...TIMINGS });
  cleanups.push(async () => {
    await lease.stop();
    await adapter.stop();
  });
  return { adapter, lease, link, seen };
}

describe('Discord gateway lease', () => {
  it('one replica holds the gateway; when it dies another takes over within the TTL', async () => {
    const fake = await FakeDiscord.start();
    cleanups.push(() => fake.close());
    const store = new MemoryStore();
    const a = replica(fake, store, 'a');
    a.lease.start();
    await fake.waitFor(() => a.adapter.connected, 5_000, 'replica a connected');
    const b = replica(fake, store, 'b');
    b.lease.start();
    // b keeps trying for a while and stays off the gateway.
    await new Promise((resolve) => setTimeout(resolve, 3 * TIMINGS.retryMs));
    expect(b.lease.holding).toBe(false);
    expect(fake.readyConnections()).toHaveLength(1);

    // a's store goes away: it cannot renew, drops its connection, and b takes over once the lease lapses.
    a.link.dead = true;
    await fake.waitFor(() => b.adapter.connected, 5_000, 'replica b connected after a died');
    expect(a.adapter.connected).toBe(false);
    expect(a.lease.holding).toBe(false);
    await fake.waitFor(() => fake.readyConnections().length === 1, 5_000, 'one connection');

    // Interactions now reach b only.
    await fake.sendInteraction(fake.slashCommand({ name: 'oncall' }));
    await fake.waitFor(() => b.seen.length === 1, 5_000, 'b dispatched the command');
    expect(a.seen).toHaveLength(0);
  });

  it('a replica that stops gives the lease back at once', async () => {
    const fake = await FakeDiscord.start();
    cleanups.push(() => fake.close());
    const store = new MemoryStore();
    const a = replica(fake, store, 'a');
    a.lease.start();
    await fake.waitFor(() => a.adapter.connected, 5_000, 'replica a connected');
    const b = replica(fake, store, 'b');
    b.lease.start();
    await a.lease.stop();
    expect(a.adapter.connected).toBe(false);
    await fake.waitFor(() => b.adapter.connected, 5_000, 'replica b connected');
    expect(fake.readyConnections()).toHaveLength(1);
  });
});
