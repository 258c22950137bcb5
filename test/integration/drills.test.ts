import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { BullMQOutbox } from '../../adapters/bullmq/outbox.js';
import { BullMQScheduler } from '../../adapters/bullmq/scheduler.js';
import { RedisStore } from '../../adapters/redis/store.js';
import { Muster } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { PlaybookLibrary } from '../../src/playbooks/library.js';
import { playbookSchema } from '../../src/playbooks/schema.js';
import { FakeChat, testConfig } from '../support/fixture.js';
import { cleanupPrefix, COMMANDS_OPTIONS, newPrefix } from '../support/redis.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SCENARIO = playbookSchema.parse({
  id: 'drill-checkout', title: 'Checkout outage drill', drill: true, match: { services: ['checkout'] },
  steps: [{ id: 'confirm', kind: 'check', title: 'Read the dashboard', role: 'tech', due: '5m' }],
});
const config = testConfig((raw) => {
  raw.drills = {
    weekly: {
      scenario: 'drill-checkout', teams: ['payments'], timeZone: 'UTC',
      windows: [{ days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'], from: '00:00', to: '23:59' }],
      meanGap: '7d', minGap: '2d',
    },
  };
});

let prefix = '';
const clients: Redis[] = [];
afterEach(async () => {
  await cleanupPrefix(prefix);
  for (const client of clients.splice(0)) client.disconnect();
});

async function boot() {
  const commands = new Redis(URL, { ...COMMANDS_OPTIONS });
  const queues = new Redis(URL, { maxRetriesPerRequest: null });
  clients.push(commands, queues);
  if (commands.status === 'wait') await commands.connect();
  else if (commands.status !== 'ready') await new Promise((resolve) => commands.once('ready', resolve));
  const store = new RedisStore(commands, { prefix });
  const scheduler = new BullMQScheduler({ connection: queues, prefix: `${prefix}bull`, logger: silentLogger });
  const outbox = new BullMQOutbox({ connection: queues, prefix: `${prefix}bull`, logger: silentLogger });
  const muster = new Muster({ auditKey: TEST_AUDIT_KEY, config, store, scheduler, outbox, chat: new FakeChat(), clock: systemClock, logger: silentLogger, playbooks: new PlaybookLibrary([SCENARIO]) });
  await muster.start({ watchdog: false });
  return { muster, store, scheduler, outbox };
}

describe('drill schedules on Redis and BullMQ', () => {
  it('20 crash restarts leave one job scheduler and one planned drill, and the plan survives them', async () => {
    prefix = newPrefix();
    let planned: string | undefined;
    for (let restart = 0; restart < 20; restart += 1) {
      const node = await boot();
      const state = await node.store.getValue('drill-state:weekly');
      expect(state).toBeDefined();
      const plannedAt = (JSON.parse(state!) as { plannedAt: number }).plannedAt;
      planned ??= String(plannedAt);
      expect(String(plannedAt)).toBe(planned);
      expect(await node.scheduler.repeatIds()).toEqual(['drill-plan-weekly']);
      const drillTimers = (await node.scheduler.pendingIds()).filter((id) => id.startsWith('drill-weekly-'));
      expect(drillTimers).toEqual([`drill-weekly-${planned}`]);
      await node.scheduler.crash();
      await node.outbox.close();
    }
    const check = await boot();
    expect((await check.store.listActive()).filter((incident) => incident.drill)).toEqual([]);
    await check.muster.stop();
  });
});
