/**
 * A Redis outage mid-run: the store's client goes through a
 * TCP proxy the test can take down and bring back. While it is down, commands
 * answer "degraded" at once and record nothing, the process stays up, and
 * when Redis is back ioredis reconnects by itself and work carries on; a step
 * that fell due during the outage still fires, once. The BullMQ queues use the
 * direct connection: only the store loses Redis.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.js';
import {
  cleanupPrefix,
  COMMANDS_OPTIONS,
  dmKey,
  duplicates,
  newPrefix,
  Node,
  ofType,
  P1_CHAIN,
  pageKey,
  quiescent,
  recordingLogger,
  REDIS_URL,
  RedisProxy,
  shortConfig,
  sleep,
  until,
  DECLARE_P1 as DECLARE,
  ROLES,
  PRIMARIES,
  BACKUPS,
} from '../support/redis.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { COMMAND_CLIENT_OPTIONS } from '../../src/main/redis-options.js';


let prefix = '';
let proxy: RedisProxy | undefined;
const nodes: Node[] = [];
let admin: Redis | undefined;

afterEach(async () => {
  for (const created of nodes.splice(0)) await created.close();
  await proxy?.down();
  proxy = undefined;
  admin?.disconnect();
  admin = undefined;
  await cleanupPrefix(prefix);
});

/** A replica whose store reaches Redis only through the proxy, with the client options of src/main.ts. */
async function degradableNode(config = shortConfig(), watchdogIntervalMs?: number, logger = recordingLogger()): Promise<Node> {
  prefix = newPrefix();
  proxy = new RedisProxy(REDIS_URL);
  await proxy.up();
  const commands = new Redis(proxy.url(), { ...COMMANDS_OPTIONS, connectTimeout: 500 });
  const node = new Node({ prefix, config, commands, logger, ...(watchdogIntervalMs !== undefined ? { watchdogIntervalMs } : {}) });
  nodes.push(node);
  admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  return node;
}

describe('a Redis that stops answering', () => {
  it('with production\'s client options, a command answers degraded within the command timeout instead of hanging', async () => {
    prefix = newPrefix();
    proxy = new RedisProxy(REDIS_URL);
    await proxy.up();
    // The store's connection exactly as src/main wires it (commandTimeout 5 s).
    const commands = new Redis(proxy.url(), { lazyConnect: true, ...COMMAND_CLIENT_OPTIONS });
    const node = new Node({ prefix, config: shortConfig(), commands });
    nodes.push(node);
    await node.start();
    await node.store.ping();

    proxy.stalled = true; // the connection stays up; no reply comes back
    const started = Date.now();
    const reply = await node.muster.dispatch({ name: 'incident', args: DECLARE, actor: 'console:alice', conversation: 'console:#general', requestId: 'stalled-1' });
    const waited = Date.now() - started;
    expect(reply.message.text).toContain('degraded');
    expect(waited).toBeGreaterThanOrEqual(COMMAND_CLIENT_OPTIONS.commandTimeout - 100);
    expect(waited).toBeLessThan(COMMAND_CLIENT_OPTIONS.commandTimeout + 3_000);
    expect(commands.status).toBe('ready'); // not a dropped connection: only the timeout could end the wait
    expect(node.chat.log).toEqual([]);
  }, 30_000);
});

describe('a Redis outage mid-run', () => {
  it('answers degraded and records nothing while Redis is away, then works again once it is back', async () => {
    const node = await degradableNode();
    await node.start();
    await node.store.ping();

    await proxy!.down();
    await until(() => node.commands.status !== 'ready', 'the store client to notice the outage');

    const declare = { name: 'incident', args: DECLARE, actor: 'console:alice', conversation: 'console:#general', requestId: 'outage-1' };
    const refused = await node.muster.dispatch(declare);
    expect(refused.message.text).toContain('degraded');
    expect(refused.visibility).toBe('ephemeral');
    expect(refused.duplicate).toBeUndefined();
    for (const args of ['ack INC-1', 'list', 'status INC-1']) {
      expect((await node.say('pete', args)).message.text).toContain('degraded');
    }
    // The watchdog reports and carries on rather than throwing.
    expect(await node.muster.watchdog.beat()).toBeUndefined();

    await proxy!.up();
    await until(() => node.commands.status === 'ready', 'ioredis to reconnect by itself');

    // Nothing was recorded: no incident number used, no request id claimed, nothing sent.
    expect(await admin!.get(`${prefix}counter`)).toBeNull();
    expect(await admin!.exists(`${prefix}request:outage-1`)).toBe(0);
    expect(await node.store.listRecent(10)).toEqual([]);
    expect(node.chat.log).toEqual([]);

    // The platform's retry of the very same delivery is not mistaken for a duplicate.
    const accepted = await node.muster.dispatch(declare);
    expect(accepted.duplicate).toBeUndefined();
    expect(accepted.message.text).toContain('INC-1 declared');
    await until(() => PRIMARIES.every((person) => node.chat.pagesTo(person).length === 1), 'the primary pages');
    expect(verifyChain(await node.store.timeline('INC-1'), TEST_AUDIT_KEY)).toBeUndefined();
  });

  it('fires a step that fell due during the outage once Redis is back, and sends each page once', async () => {
    const config = shortConfig({ steps: ['0s', '2s', '1s'], assemble: '4s' });
    const logger = recordingLogger();
    const node = await degradableNode(config, 500, logger);
    await node.start({ watchdog: true });
    const reply = await node.say('alice', DECLARE);
    expect(reply.message.text).toContain('INC-1 declared');
    await until(() => PRIMARIES.every((person) => node.chat.pagesTo(person).length === 1), 'the primary pages');
    await until(async () => (await node.bullOutbox.depth()) === 0 && (await node.store.pendingOutbox()).length === 0, 'the outbox to drain');

    const incident = await node.store.get('INC-1');
    const backupDue = incident!.declaredAt + incident!.slots[0]!.chain[1]!.atMs;
    expect(Date.now()).toBeLessThan(backupDue);

    await proxy!.down();
    // Stay down until the backup step is overdue, so its timer meets an unreachable store.
    while (Date.now() < backupDue + 300) await sleep(50);
    for (const person of BACKUPS) expect(node.chat.pagesTo(person)).toHaveLength(0);
    // The backup step's timers met the outage (and will be retried) rather than being dropped.
    await until(() => logger.entries.some((entry) => entry.message.startsWith('timer handler failed')), 'a timer to meet the outage');
    expect((await node.say('alice', 'list')).message.text).toContain('degraded');

    await proxy!.up();
    await until(async () => {
      const timeline = await node.store.timeline('INC-1');
      if (ofType(timeline, 'escalation.step').length < ROLES.length * 2) return false;
      if (ofType(timeline, 'assembly.breached').length < 1) return false;
      return quiescent([node]);
    }, 'the chain to finish after the outage', { timeoutMs: 30_000 });

    const dms = node.chat.log.map(dmKey).filter((key): key is string => key !== undefined);
    expect(duplicates(dms)).toEqual({});
    for (const person of [...PRIMARIES, ...BACKUPS]) expect(node.chat.pagesTo(person)).toHaveLength(1);
    expect(node.chat.pagesTo('mona')).toHaveLength(ROLES.length);
    expect(node.chat.pagesTo('dora')).toHaveLength(1);
    const timeline = await node.store.timeline('INC-1');
    expect(verifyChain(timeline, TEST_AUDIT_KEY)).toBeUndefined();
    expect(duplicates(ofType(timeline, 'page.sent').map(pageKey))).toEqual({});
    expect(duplicates(ofType(timeline, 'escalation.step').map((e) => `${e.role} ${String(e.data.step)}`))).toEqual({});
  });
});
