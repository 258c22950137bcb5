/**
 * One Scheduler contract, run against the in-process scheduler and the BullMQ
 * one on a real Redis. Both run in real time with short delays
 * so they face the same assertions; nothing asserts how long anything took.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { useSharedRedis } from './shared-redis.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BullMQScheduler, bullPrefix } from '../../adapters/bullmq/scheduler.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { ManualClock, systemClock } from '../../src/clock.js';
import type { Scheduler, Timer } from '../../src/ports.js';

const QUEUE = 'muster-timers';
/** Node's setTimeout may fire a millisecond or two before Date.now() reaches its deadline. */
const TIMER_SLACK_MS = 5;
const WAIT = { timeout: 5_000, interval: 20 };

const { redis, deleteKeys } = useSharedRedis();

const silent = { warn: () => {}, error: () => {} };

interface Implementation {
  name: string;
  /** A throwing handler is retried (BullMQ); the in-process scheduler leaves that to the reconciler. */
  retries: boolean;
  /** Timers outlive the scheduler instance that scheduled them. */
  durable: boolean;
  create(namespace: string): Scheduler;
  cleanup(namespace: string): Promise<void>;
}

const implementations: Implementation[] = [
  {
    name: 'InProcessScheduler',
    retries: false,
    durable: false,
    create: () => new InProcessScheduler(systemClock),
    cleanup: async () => {},
  },
  {
    name: 'BullMQScheduler',
    retries: true,
    durable: true,
    create: (namespace) => new BullMQScheduler({ connection: redis(), prefix: namespace, logger: silent }),
    cleanup: async (namespace) => {
      const queue = new Queue(QUEUE, { connection: redis(), prefix: bullPrefix(namespace) });
      await queue.obliterate({ force: true });
      await queue.close();
      await deleteKeys(redis(), namespace);
    },
  },
];

let sequence = 0;
function timer(dueInMs: number, overrides: Partial<Timer> = {}): Timer {
  sequence += 1;
  return {
    id: `INC-1-ic-e1-s${sequence}`,
    dueAt: Date.now() + dueInMs,
    incident: 'INC-1',
    kind: 'escalate',
    key: 'ic',
    epoch: 1,
    step: sequence,
    ...overrides,
  };
}

interface Fired {
  timer: Timer;
  at: number;
}

function recorder(): { fired: Fired[]; handler: (timer: Timer) => Promise<void> } {
  const fired: Fired[] = [];
  return { fired, handler: async (t) => void fired.push({ timer: t, at: Date.now() }) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(implementations)('Scheduler contract: $name', (impl) => {
  let namespace: string;
  let opened: Scheduler[];
  const open = () => {
    const scheduler = impl.create(namespace);
    opened.push(scheduler);
    return scheduler;
  };

  beforeEach(() => {
    namespace = `test:{${randomUUID()}}:`;
    opened = [];
  });

  afterEach(async () => {
    for (const scheduler of opened) await scheduler.close();
    await impl.cleanup(namespace);
  });

  it('fires a timer once, at or after dueAt, with its payload', async () => {
    const scheduler = open();
    const { fired, handler } = recorder();
    await scheduler.start(handler);
    const t = timer(150);
    await scheduler.schedule(t);

    await vi.waitFor(() => expect(fired).toHaveLength(1), WAIT);
    expect(fired[0]!.timer).toEqual(t);
    expect(fired[0]!.at).toBeGreaterThanOrEqual(t.dueAt - TIMER_SLACK_MS);
    await sleep(300);
    expect(fired).toHaveLength(1);
  });

  it('fires a timer that is already due as soon as it is started', async () => {
    const scheduler = open();
    const t = timer(-1_000, { kind: 'deadline', key: 'assembly', step: undefined });
    await scheduler.schedule(t);
    const { fired, handler } = recorder();
    await scheduler.start(handler);
    await vi.waitFor(() => expect(fired.map((f) => f.timer)).toEqual([t]), WAIT);
  });

  it('fires a timer scheduled twice under one id once', async () => {
    const scheduler = open();
    const t = timer(150);
    await scheduler.schedule(t);
    await scheduler.schedule({ ...t, dueAt: t.dueAt + 50 });
    expect(await scheduler.pendingIds()).toEqual([t.id]);

    const { fired, handler } = recorder();
    await scheduler.start(handler);
    await scheduler.schedule(t);
    await vi.waitFor(() => expect(fired).toHaveLength(1), WAIT);
    await sleep(300);
    expect(fired.map((f) => f.timer.id)).toEqual([t.id]);
  });

  it('lists pending ids until the timers fire', async () => {
    const scheduler = open();
    const first = timer(100);
    const second = timer(250);
    expect(await scheduler.pendingIds()).toEqual([]);
    await scheduler.schedule(first);
    await scheduler.schedule(second);
    expect((await scheduler.pendingIds()).sort()).toEqual([first.id, second.id].sort());

    const { fired, handler } = recorder();
    await scheduler.start(handler);
    await vi.waitFor(() => expect(fired).toHaveLength(2), WAIT);
    expect(fired.map((f) => f.timer.id)).toEqual([first.id, second.id]);
    await vi.waitFor(async () => expect(await scheduler.pendingIds()).toEqual([]), WAIT);
  });

  it('cancels pending timers by id: they never fire, the others still do', async () => {
    const scheduler = open();
    const cancelled = [timer(150), timer(200)];
    const kept = timer(400);
    await scheduler.scheduleAll([...cancelled, kept]);
    await scheduler.cancel([...cancelled.map((t) => t.id), 'INC-9-never-scheduled']);
    expect(await scheduler.pendingIds()).toEqual([kept.id]);

    const { fired, handler } = recorder();
    await scheduler.start(handler);
    // The kept timer is due last: once it has fired, a cancelled one would have too.
    await vi.waitFor(() => expect(fired.map((f) => f.timer.id)).toContain(kept.id), WAIT);
    expect(fired.map((f) => f.timer.id)).toEqual([kept.id]);
    await scheduler.cancel([]);
  });

  it('cancels a timer armed on a started scheduler', async () => {
    const scheduler = open();
    const { fired, handler } = recorder();
    await scheduler.start(handler);
    const cancelled = timer(200);
    const kept = timer(400);
    await scheduler.scheduleAll([cancelled, kept]);
    await scheduler.cancel([cancelled.id]);
    await vi.waitFor(() => expect(fired.map((f) => f.timer.id)).toContain(kept.id), WAIT);
    expect(fired.map((f) => f.timer.id)).toEqual([kept.id]);
  });

  it.runIf(impl.durable)('lets a cancelled id be scheduled again (a re-declared step is not swallowed)', async () => {
    const scheduler = open();
    const t = timer(5_000);
    await scheduler.schedule(t);
    await scheduler.cancel([t.id]);
    const again = { ...t, dueAt: Date.now() + 100 };
    await scheduler.schedule(again);
    const { fired, handler } = recorder();
    await scheduler.start(handler);
    await vi.waitFor(() => expect(fired.map((f) => f.timer)).toEqual([again]), WAIT);
  });

  it.runIf(impl.retries)('retries a handler that throws', async () => {
    const scheduler = open();
    const attempts: number[] = [];
    await scheduler.start(async () => {
      attempts.push(Date.now());
      if (attempts.length === 1) throw new Error('store briefly unavailable');
    });
    const t = timer(0);
    await scheduler.schedule(t);
    await vi.waitFor(() => expect(attempts).toHaveLength(2), WAIT);
    await vi.waitFor(async () => expect(await scheduler.pendingIds()).toEqual([]), WAIT);
    await sleep(200);
    expect(attempts).toHaveLength(2);
  });

  it.runIf(impl.durable)('keeps a timer when the scheduler that made it closes; the next one fires it', async () => {
    const before = open();
    const t = timer(200);
    await before.schedule(t);
    await before.close();

    const after = open();
    expect(await after.pendingIds()).toEqual([t.id]);
    const { fired, handler } = recorder();
    await after.start(handler);
    await vi.waitFor(() => expect(fired.map((f) => f.timer)).toEqual([t]), WAIT);
  });
});

describe('BullMQScheduler specifics', () => {
  const namespace = `test:{${randomUUID()}}:`;
  afterEach(async () => {
    await implementations[1]!.cleanup(namespace);
  });

  it('hands pending timers of a crashed worker to the next worker', async () => {
    const crashed = new BullMQScheduler({ connection: redis(), prefix: namespace, logger: silent });
    const survivor = new BullMQScheduler({ connection: redis(), prefix: namespace, logger: silent });
    try {
      const lost = recorder();
      await crashed.start(lost.handler);
      const t = timer(300);
      await crashed.schedule(t);
      await crashed.crash();

      const kept = recorder();
      await survivor.start(kept.handler);
      await vi.waitFor(() => expect(kept.fired.map((f) => f.timer)).toEqual([t]), WAIT);
      expect(lost.fired).toEqual([]);
    } finally {
      await crashed.close();
      await survivor.close();
    }
  });

  it('refuses a timer id BullMQ cannot store', async () => {
    const scheduler = new BullMQScheduler({ connection: redis(), prefix: namespace, logger: silent });
    try {
      await expect(scheduler.schedule(timer(100, { id: 'INC-1:ic' }))).rejects.toThrow(/no ':'/);
      await expect(scheduler.schedule(timer(100, { id: '42' }))).rejects.toThrow(/integer/);
    } finally {
      await scheduler.close();
    }
  });

  it('re-creates a timer whose job failed for good (the reconciler path)', async () => {
    const scheduler = new BullMQScheduler({ connection: redis(), prefix: namespace, logger: silent });
    const queue = new Queue(QUEUE, { connection: redis(), prefix: bullPrefix(namespace) });
    try {
      const t = timer(0);
      await queue.add('timer', t, { jobId: t.id, attempts: 1 });
      const { fired, handler } = recorder();
      let failing = true;
      await scheduler.start(async (x) => {
        if (failing) throw new Error('down');
        await handler(x);
      });
      await vi.waitFor(async () => expect(await queue.getJobState(t.id)).toBe('failed'), WAIT);

      failing = false;
      await scheduler.scheduleAll([t], { revive: true });
      await vi.waitFor(() => expect(fired.map((f) => f.timer)).toEqual([t]), WAIT);
    } finally {
      await scheduler.close();
      await queue.close();
    }
  });
});

describe('InProcessScheduler with a ManualClock', () => {
  it('fires due timers only when runDue is called after the clock passes dueAt', async () => {
    const clock = new ManualClock();
    const scheduler = new InProcessScheduler(clock, { realTime: false });
    const { fired, handler } = recorder();
    await scheduler.start(handler);
    const t: Timer = { id: 'INC-1-ic-e1-s1', dueAt: clock.now() + 60_000, incident: 'INC-1', kind: 'escalate', key: 'ic', epoch: 1, step: 1 };
    await scheduler.schedule(t);
    await scheduler.schedule(t);

    expect(await scheduler.runDue()).toBe(0);
    clock.advance(59_999);
    expect(await scheduler.runDue()).toBe(0);
    clock.advance(1);
    expect(await scheduler.runDue()).toBe(1);
    expect(fired.map((f) => f.timer)).toEqual([t]);
    expect(await scheduler.pendingIds()).toEqual([]);
    await scheduler.close();
  });
});
