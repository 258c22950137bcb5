/**
 * Every script and multi-key command Muster sends stays in one Redis Cluster
 * slot. The whole bot (buildRuntime: the Redis store, BullMQ timers and outbox)
 * runs a P1 on a one-node cluster, which refuses cross-slot work (CROSSSLOT)
 * as any cluster does; afterwards every key it wrote hashes to the slot of the
 * prefix's hash tag.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.js';
import { buildRuntime, type Runtime } from '../../src/main.js';
import { DECLARE_P1, ofType, PRIMARIES, recordingLogger, ROLES, shortConfig, StampedChat, until } from '../support/redis.js';
import { OneNodeCluster } from '../support/redis-cluster.js';
import { TEST_AUDIT_SECRET } from '../support/audit-key.js';

let cluster: OneNodeCluster | undefined;
let runtime: Runtime | undefined;

afterEach(async () => {
  await runtime?.close().catch(() => undefined);
  runtime = undefined;
  await cluster?.stop();
  cluster = undefined;
});

describe('Redis Cluster slots', () => {
  it('runs a whole muster on a cluster node, every key in the slot of the prefix hash tag', { timeout: 60_000 }, async () => {
    cluster = await new OneNodeCluster().start();
    // The node enforces slots: two untagged keys in one script are refused.
    await expect(cluster.admin!.eval("return redis.call('MGET', KEYS[1], KEYS[2])", 2, 'muster:a', 'muster:b')).rejects.toThrow(/CROSSSLOT/);

    const logger = recordingLogger();
    const chat = new StampedChat();
    // An untagged prefix, as older installs set it: Muster adds the tag.
    const env = loadEnv({ REDIS_URL: cluster.url, MUSTER_REDIS_PREFIX: 'muster:', MUSTER_AUDIT_KEY: TEST_AUDIT_SECRET });
    runtime = await buildRuntime({ config: shortConfig({ steps: ['0s', '1s', '1s'], assemble: '3s' }), env, chat, logger });
    await runtime.muster.start({ watchdog: true });
    const say = (person: string, args: string, id: string) =>
      runtime!.muster.dispatch({ name: 'incident', args, actor: `console:${person}`, conversation: 'console:#general', requestId: id });

    expect((await say('alice', DECLARE_P1, 'r1')).message.text).toContain('INC-1 declared');
    await until(() => PRIMARIES.every((person) => chat.pagesTo(person).length === 1), 'the primary pages');
    await until(async () => {
      const timeline = await runtime!.store.timeline('INC-1');
      return ofType(timeline, 'escalation.step').length >= ROLES.length * 2 && ofType(timeline, 'assembly.breached').length === 1;
    }, 'the escalation chain and the breach');
    expect((await say('cara', 'ack INC-1 commander', 'r2')).message.text).not.toContain('degraded');
    expect((await say('alice', 'resolve INC-1 rolled back', 'r3')).message.text).toContain('INC-1');
    await runtime.scheduler.cancel(['INC-1-never-scheduled']);
    await runtime.muster.watchdog.beat();
    await until(async () => (await runtime!.outbox.depth()) === 0 && (await runtime!.store.pendingOutbox()).length === 0, 'the outbox to drain');
    expect((await runtime.store.get('INC-1'))?.status).toBe('resolved');

    const problems = logger.entries.filter((entry) => /CROSSSLOT|non local key|different slot/i.test(JSON.stringify(entry)));
    expect(problems).toEqual([]);
    const keys = await cluster.keys();
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.every((key) => key.startsWith('{muster}:'))).toBe(true);
    const slot = await cluster.slotOf('{muster}');
    const slots = new Set(await Promise.all(keys.map((key) => cluster!.slotOf(key))));
    expect([...slots]).toEqual([slot]);
  });
});
