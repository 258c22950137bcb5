/**
 * Resolving an incident removes its pending BullMQ jobs (escalations, SLA,
 * update reminders), so a resolved incident leaves nothing of them waiting
 * in the queue until it comes due; its knowledge task's timers stay.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { BullMQOutbox } from '../../adapters/bullmq/outbox.js';
import { BullMQScheduler } from '../../adapters/bullmq/scheduler.js';
import { RedisStore } from '../../adapters/redis/store.js';
import { Muster } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { armedTimers } from '../support/armed.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { FakeChat, testConfig } from '../support/fixture.js';
import { cleanupPrefix, COMMANDS_OPTIONS, newPrefix, REDIS_URL } from '../support/redis.js';

let prefix = '';
const clients: Redis[] = [];
let muster: Muster | undefined;
afterEach(async () => {
  await muster?.stop();
  muster = undefined;
  await cleanupPrefix(prefix);
  for (const client of clients.splice(0)) client.disconnect();
});

describe('resolve on Redis and BullMQ', () => {
  it('removes the incident\'s pending timers, and only its own', async () => {
    prefix = newPrefix();
    const commands = new Redis(REDIS_URL, { ...COMMANDS_OPTIONS });
    const queues = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    clients.push(commands, queues);
    if (commands.status === 'wait') await commands.connect();
    else if (commands.status !== 'ready') await new Promise((resolve) => commands.once('ready', resolve));
    const scheduler = new BullMQScheduler({ connection: queues, prefix: `${prefix}bull`, logger: silentLogger });
    const outbox = new BullMQOutbox({ connection: queues, prefix: `${prefix}bull`, logger: silentLogger });
    const store = new RedisStore(commands, { prefix });
    muster = new Muster({ auditKey: TEST_AUDIT_KEY, config: testConfig(), store, scheduler, outbox, chat: new FakeChat(), clock: systemClock, logger: silentLogger });
    await muster.start({ watchdog: false });
    const say = (args: string, requestId: string) => muster!.dispatch({ name: 'incident', args, actor: 'console:alice', conversation: 'console:#general', requestId });
    await say('declare Checkout is failing sev=P1 service=checkout', 'r1');
    await say('declare Payments slow sev=P1 service=checkout anyway=yes', 'r2');
    // The queue holds one wake per incident (src/timers/wake.ts), at the earliest timer its record expects.
    const queued = async (id: string) => (await scheduler.pendingIds()).filter((timer) => timer.includes(`${id}-`));
    expect(await queued('INC-1')).toHaveLength(1);
    expect((await armedTimers(store, scheduler, 'INC-1')).length).toBeGreaterThan(3);
    const other = await queued('INC-2');
    const before = await queued('INC-1');
    expect((await say('resolve INC-1 rolled back', 'r3')).message.text).toMatch(/INC-1/);
    expect((await store.get('INC-1'))?.status).toBe('resolved');
    // Only the knowledge task resolve opened waits now: the escalations' wake left the queue, a new one waits for the task.
    expect(await queued('INC-1')).toHaveLength(1);
    expect(await queued('INC-1')).not.toEqual(before);
    const armed = await armedTimers(store, scheduler, 'INC-1');
    expect(armed.length).toBeGreaterThan(0);
    expect(armed.every((timer) => timer.startsWith('knowledge-INC-1-'))).toBe(true);
    expect(await queued('INC-2')).toEqual(other);
  });
});
