/**
 * Timer lateness (fired minus due) with many pending timers: first through
 * BullMQScheduler.schedule() (what Muster uses), then the floor: bare BullMQ
 * delayed jobs with a plain Worker of the same concurrency. Both start their
 * worker before adding, add in due order with the same parallelism, and each
 * runs on its own queue under the bench prefix.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { BullMQScheduler } from '../adapters/bullmq/scheduler.js';
import type { Timer } from '../src/ports.js';
import { quit, type Clients } from './redis.js';
import { CountingLogger, forEachLimit, sleep } from './stats.js';

/** BullMQScheduler's default worker concurrency; the bare worker uses the same. */
export const TIMER_CONCURRENCY = 5;
const ADD_PARALLELISM = 32;

export interface TimerPlan {
  count: number;
  startInMs: number;
  spreadMs: number;
}

export interface TimerRun {
  lateness: number[];
  /** How long adding every timer took, ms. */
  addMs: number;
  /** Timers whose add completed after their due time (their lateness includes the add). */
  addedLate: number;
  missing: number;
}

function dueTimes(plan: TimerPlan): number[] {
  const base = Date.now() + plan.startInMs;
  return Array.from({ length: plan.count }, (_, i) => base + Math.floor((i * plan.spreadMs) / plan.count));
}

async function waitFor(lateness: number[], count: number, deadline: number): Promise<void> {
  while (lateness.length < count && Date.now() < deadline) await sleep(50);
}

async function addAll(dues: number[], add: (dueAt: number, index: number) => Promise<void>): Promise<{ addMs: number; addedLate: number }> {
  const startedAt = Date.now();
  let addedLate = 0;
  await forEachLimit(dues, ADD_PARALLELISM, async (dueAt, index) => {
    await add(dueAt, index);
    if (Date.now() > dueAt) addedLate += 1;
  });
  return { addMs: Date.now() - startedAt, addedLate };
}

export async function muster(clients: Clients, prefix: string, plan: TimerPlan): Promise<TimerRun> {
  const logger = new CountingLogger('timers');
  const scheduler = new BullMQScheduler({ connection: clients.queues, prefix, logger, concurrency: TIMER_CONCURRENCY });
  const lateness: number[] = [];
  try {
    await scheduler.start(async (timer) => {
      lateness.push(Date.now() - timer.dueAt);
    });
    const dues = dueTimes(plan);
    const added = await addAll(dues, (dueAt, i) => {
      const timer: Timer = { id: `bench-t${i}`, dueAt, incident: `INC-${i + 1}`, kind: 'escalate', key: 'commander', epoch: 0, step: 1 };
      return scheduler.schedule(timer);
    });
    await waitFor(lateness, plan.count, (dues.at(-1) ?? Date.now()) + 60_000);
    return { lateness, ...added, missing: plan.count - lateness.length };
  } finally {
    await scheduler.close();
  }
}

export async function bare(clients: Clients, prefix: string, plan: TimerPlan): Promise<TimerRun> {
  const queueName = 'bare-timers';
  const queue = new Queue<{ dueAt: number }>(queueName, { connection: clients.queues, prefix });
  const connection = clients.queues.duplicate({ maxRetriesPerRequest: null }) as Redis;
  const lateness: number[] = [];
  const worker = new Worker<{ dueAt: number }>(
    queueName,
    async (job) => {
      lateness.push(Date.now() - job.data.dueAt);
    },
    { connection, prefix, concurrency: TIMER_CONCURRENCY },
  );
  const report = (err: Error) => process.stderr.write(`[bare-bullmq] ${err.message}\n`);
  queue.on('error', report);
  worker.on('error', report);
  try {
    await worker.waitUntilReady();
    const dues = dueTimes(plan);
    const added = await addAll(dues, async (dueAt) => {
      await queue.add('timer', { dueAt }, { delay: Math.max(0, dueAt - Date.now()), removeOnComplete: true });
    });
    await waitFor(lateness, plan.count, (dues.at(-1) ?? Date.now()) + 60_000);
    return { lateness, ...added, missing: plan.count - lateness.length };
  } finally {
    await worker.close();
    await queue.close();
    await quit(connection);
  }
}
