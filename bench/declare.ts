/**
 * Declare-to-pages in production mode: RedisStore + BullMQScheduler +
 * BullMQOutbox, wired as src/main.ts wires them. Latency is measured from the
 * call to muster.dispatch() until the last of the five first pages reaches the
 * chat port; the reply time (dispatch resolved) is reported alongside.
 */
import { performance } from 'node:perf_hooks';
import { BullMQOutbox } from '../adapters/bullmq/outbox.js';
import { BullMQScheduler } from '../adapters/bullmq/scheduler.js';
import { RedisStore } from '../adapters/redis/store.js';
import { Muster } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import type { Outbox } from '../src/ports.js';
import { PageTimingChat } from './chat.js';
import { benchConfig, declareRequest, FIRST_PAGED } from './config.js';
import type { Clients } from './redis.js';
import { CountingLogger, percentile, sleep } from './stats.js';
import { randomAuditKey } from '../src/audit/key.js';

const PAGE_TIMEOUT_MS = 60_000;

export interface DeclareSamples {
  /** dispatch() called -> last first page sent, ms. */
  pages: number[];
  /** dispatch() called -> dispatch() resolved, ms. */
  replies: number[];
}

export interface ConcurrentSamples extends DeclareSamples {
  /** p99 of the page latency of each batch, in order (the first is the coldest). */
  batchP99: number[];
  /** Event-loop utilization of this process while the batches ran (1 = CPU-bound). */
  eventLoopUtilization: number;
}

export interface ProductionMuster {
  muster: Muster;
  chat: PageTimingChat;
  outbox: Outbox;
  logger: CountingLogger;
  stop(): Promise<void>;
}

export async function startProductionMuster(clients: Clients, prefix: string): Promise<ProductionMuster> {
  const logger = new CountingLogger('muster');
  const store = new RedisStore(clients.commands, { prefix });
  const scheduler = new BullMQScheduler({ connection: clients.queues, prefix: `${prefix}bull`, logger });
  const outbox = new BullMQOutbox({ connection: clients.queues, prefix: `${prefix}bull`, logger });
  const chat = new PageTimingChat(FIRST_PAGED.length);
  const muster = new Muster({ auditKey: randomAuditKey(), config: benchConfig(), store, scheduler, outbox, chat, clock: systemClock, logger });
  // The watchdog stays off so its reconcile passes don't land inside the measurements.
  await muster.start({ watchdog: false });
  return { muster, chat, outbox, logger, stop: () => muster.stop() };
}

let tagCounter = 0;

async function declareOnce(bot: ProductionMuster, samples: DeclareSamples): Promise<void> {
  tagCounter += 1;
  const request = declareRequest(`d${tagCounter}-${process.pid}`);
  const startedAt = performance.now();
  const reply = await bot.muster.dispatch(request);
  const repliedAt = performance.now();
  const id = /\bINC-\d+\b/.exec(reply.message.text)?.[0];
  if (!id || reply.message.tone === 'warning') throw new Error(`declare failed: ${reply.message.text}`);
  const lastPageAt = await bot.chat.allPaged(id, PAGE_TIMEOUT_MS);
  bot.chat.forget(id);
  samples.pages.push(lastPageAt - startedAt);
  samples.replies.push(repliedAt - startedAt);
}

/** Waits until the outbox (room notices, boards) is empty, so runs don't overlap. */
export async function drainOutbox(outbox: Outbox, maxMs = 60_000): Promise<void> {
  const until = Date.now() + maxMs;
  while ((await outbox.depth()) > 0) {
    if (Date.now() > until) throw new Error(`outbox still has ${await outbox.depth()} messages after ${maxMs} ms`);
    await sleep(5);
  }
}

export async function warmUp(bot: ProductionMuster, runs: number): Promise<void> {
  const ignored: DeclareSamples = { pages: [], replies: [] };
  for (let i = 0; i < runs; i += 1) await declareOnce(bot, ignored);
  await drainOutbox(bot.outbox);
}

/** One declaration at a time, each after the previous one's outbox drained. */
export async function sequentialDeclares(bot: ProductionMuster, runs: number): Promise<DeclareSamples> {
  const samples: DeclareSamples = { pages: [], replies: [] };
  for (let i = 0; i < runs; i += 1) {
    await declareOnce(bot, samples);
    await drainOutbox(bot.outbox);
  }
  return samples;
}

/** `batches` rounds of `concurrency` declarations started together; one sample per declaration. */
export async function concurrentDeclares(bot: ProductionMuster, concurrency: number, batches: number): Promise<ConcurrentSamples> {
  const samples: ConcurrentSamples = { pages: [], replies: [], batchP99: [], eventLoopUtilization: 0 };
  let busy = 0;
  let total = 0;
  for (let batch = 0; batch < batches; batch += 1) {
    const before = samples.pages.length;
    const elu = performance.eventLoopUtilization();
    await Promise.all(Array.from({ length: concurrency }, () => declareOnce(bot, samples)));
    const used = performance.eventLoopUtilization(elu);
    busy += used.active;
    total += used.active + used.idle;
    samples.batchP99.push(percentile(samples.pages.slice(before), 99));
    await drainOutbox(bot.outbox);
  }
  samples.eventLoopUtilization = total > 0 ? busy / total : 0;
  return samples;
}

/** One watchdog pass (reconcile every active incident's timers and pending messages), in ms. */
export async function timeReconcile(bot: ProductionMuster): Promise<{ ms: number; incidents: number; timers: number }> {
  const startedAt = performance.now();
  const report = await bot.muster.watchdog.beat();
  const ms = performance.now() - startedAt;
  if (!report) throw new Error('watchdog pass failed');
  return { ms, incidents: report.incidents, timers: report.timers };
}
