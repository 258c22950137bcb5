/**
 * #15: costs that must follow the work at hand, not the history.
 * - declares with 1,000 other active incidents against none (same run, alternating);
 * - 1,000 real escalation firings due at one moment (200 P1s x 5 roles), their
 *   lateness at handler entry and how fast they drain;
 * - Redis commands sent per declare and per timer firing, counted at the client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { BullMQOutbox } from '../adapters/bullmq/outbox.js';
import { BullMQScheduler } from '../adapters/bullmq/scheduler.js';
import { RedisStore } from '../adapters/redis/store.js';
import { Muster } from '../src/app.js';
import { randomAuditKey } from '../src/audit/key.js';
import type { Incident } from '../src/incidents/types.js';
import type { Clock } from '../src/ports.js';
import { PageTimingChat } from './chat.js';
import { benchConfig, declareRequest, FIRST_PAGED } from './config.js';
import { concurrentDeclares, drainOutbox, startProductionMuster, type ProductionMuster } from './declare.js';
import type { Clients } from './redis.js';
import type { Report } from './process.js';
import { CountingLogger, forEachLimit, round1, sleep, summarize } from './stats.js';
import * as timers from './timers.js';

// ---------------------------------------------------------------- Redis commands, counted at the client

/**
 * Counts every command any ioredis client in this process sends (pipelined and
 * scripted ones one each), by patching the prototype once; `window` reads the
 * count between two moments.
 */
class CommandCounter {
  private count = 0;
  private installed = false;
  readonly byName = new Map<string, number>();

  install(): void {
    if (this.installed) return;
    this.installed = true;
    const proto = Redis.prototype as unknown as { sendCommand: (...args: unknown[]) => unknown };
    const original = proto.sendCommand;
    const counter = this;
    proto.sendCommand = function (this: unknown, ...args: unknown[]) {
      counter.count += 1;
      const name = String((args[0] as { name?: string } | undefined)?.name ?? '?');
      counter.byName.set(name, (counter.byName.get(name) ?? 0) + 1);
      return original.apply(this, args);
    };
  }

  get total(): number {
    return this.count;
  }

  /** The most sent commands since `from` (a copy of byName taken earlier), per `per` operations. */
  top(from: Map<string, number>, per: number, count = 12): string {
    return [...this.byName]
      .map(([name, n]) => [name, (n - (from.get(name) ?? 0)) / per] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, n]) => `${name} ${n.toFixed(1)}`)
      .join(', ');
  }
}

const commands = new CommandCounter();

// ---------------------------------------------------------------- declares with many active incidents

/** Writes `count` active P1 records (copies of a real one) straight into the store: others on the board, not work. */
async function seedActive(store: RedisStore, template: Incident, count: number, firstNumber: number): Promise<void> {
  await forEachLimit(Array.from({ length: count }, (_, i) => firstNumber + i), 32, async (number) => {
    const id = `INC-${number}`;
    const copy: Incident = { ...structuredClone(template), id, number, room: `bench:#inc-${number}`, roomName: `#inc-${number}`, version: 1 };
    if (!(await store.commit({ incident: copy, expectedVersion: 0, events: [], outbox: [] }))) throw new Error(`seeding ${id} failed`);
  });
}

export interface ActiveRatio {
  empty: number[];
  loaded: number[];
  others: number;
}

/**
 * The same concurrent declares on two bots, one whose store holds `others`
 * active incidents, alternating rounds so both see the same machine.
 */
export async function declaresWithActive(clients: Clients, prefix: string, plan: { others: number; concurrency: number; rounds: number }): Promise<ActiveRatio> {
  const empty = await startProductionMuster(clients, `${prefix}empty:`);
  const loaded = await startProductionMuster(clients, `${prefix}loaded:`);
  try {
    await concurrentDeclares(empty, 5, 1);
    await concurrentDeclares(loaded, 5, 1);
    const store = new RedisStore(clients.commands, { prefix: `${prefix}loaded:` });
    const template = (await store.listActive())[0];
    if (!template) throw new Error('no declared incident to copy');
    const next = await store.nextIncidentNumber();
    await seedActive(store, template, plan.others, next + 1_000_000);
    const result: ActiveRatio = { empty: [], loaded: [], others: (await store.listActive()).length };
    for (let round = 0; round < plan.rounds; round += 1) {
      result.empty.push(...(await concurrentDeclares(empty, plan.concurrency, 1)).pages);
      result.loaded.push(...(await concurrentDeclares(loaded, plan.concurrency, 1)).pages);
    }
    return result;
  } finally {
    await empty.stop();
    await loaded.stop();
  }
}

// ---------------------------------------------------------------- a burst of escalations due at once

/** Follows the system clock, except while frozen: declares then all compute the same due times. */
class FreezableClock implements Clock {
  frozenAt: number | undefined;
  now(): number {
    return this.frozenAt ?? Date.now();
  }
}

/**
 * Notes each backup-step escalation as it commits: its transition's clock
 * reading (the moment the production handler ran it; the last attempt's, if
 * a version conflict made it run again) and when it was done. The queue holds
 * one wake per incident (src/timers/wake.ts), so escalations are counted on
 * the timeline, not as queue jobs.
 */
class EscalationTimes {
  readonly entered: number[] = [];
  readonly finished: number[] = [];

  constructor(private readonly dueAt: () => number) {}

  listen(muster: Muster): () => void {
    return muster.onEvent((event) => {
      if (event.type !== 'escalation.step' || event.data.step !== 1) return;
      this.entered.push(event.at - this.dueAt());
      this.finished.push(Date.now());
    });
  }
}

export interface Burst {
  firings: number;
  expected: number;
  /** Handler entry minus due time, ms. */
  lateness: number[];
  drainPerSecond: number;
  commandsPerTimer: number;
  commandsPerDeclare: number;
  declareMs: number;
  /** The most sent commands per declare and per firing ("evalsha 40.1, …"). */
  declareMix: string;
  timerMix: string;
}

const ESCALATE_AFTER_MS = 30_000;

/**
 * `incidents` P1s declared on a frozen clock, so the backup step of each of
 * their five roles comes due at the same moment; nobody acks, so every one is
 * a real escalation (commit, page, timers) through the production handler.
 * The Redis commands of the declares and of the burst are counted apart.
 */
export async function escalationBurst(clients: Clients, prefix: string, incidents: number): Promise<Burst> {
  commands.install();
  const logger = new CountingLogger('burst');
  const config = benchConfig((raw) => {
    const standard = (raw.escalation as Record<string, { steps: Array<Record<string, string>> }>).standard!;
    standard.steps[1] = { after: `${ESCALATE_AFTER_MS / 1000}s`, page: 'backup' };
  });
  const clock = new FreezableClock();
  const store = new RedisStore(clients.commands, { prefix });
  const scheduler = new BullMQScheduler({ connection: clients.queues, prefix: `${prefix}bull`, logger });
  const outbox = new BullMQOutbox({ connection: clients.queues, prefix: `${prefix}bull`, logger });
  const chat = new PageTimingChat(FIRST_PAGED.length);
  const muster = new Muster({ auditKey: randomAuditKey(), config, store, scheduler, outbox, chat, clock, logger });
  await muster.start({ watchdog: false });
  const bot: ProductionMuster = { muster, chat, outbox, logger, stop: () => muster.stop() };
  let dueAt = 0;
  const fired = new EscalationTimes(() => dueAt);
  const unlisten = fired.listen(muster);
  try {
    clock.frozenAt = Date.now();
    dueAt = clock.frozenAt + ESCALATE_AFTER_MS;
    const declaredFrom = commands.total;
    const declaredNames = new Map(commands.byName);
    const startedAt = performance.now();
    await forEachLimit(Array.from({ length: incidents }, (_, i) => i), 20, async (i) => {
      const reply = await muster.dispatch(declareRequest(`burst-${i}-${process.pid}`));
      const id = /\bINC-\d+\b/.exec(reply.message.text)?.[0];
      if (!id) throw new Error(`declare failed: ${reply.message.text}`);
      await chat.allPaged(id, 60_000);
      chat.forget(id);
    });
    await drainOutbox(outbox);
    const declareMs = performance.now() - startedAt;
    const commandsPerDeclare = (commands.total - declaredFrom) / incidents;
    const declareMix = commands.top(declaredNames, incidents);
    clock.frozenAt = undefined;
    if (Date.now() > dueAt - 2_000) throw new Error(`declaring ${incidents} P1s took ${Math.round(declareMs)} ms, past the burst`);
    // Quiet before the burst: nothing else of ours is running, so its commands are the burst's.
    await sleep(dueAt - Date.now() - 1_000);
    const burstFrom = commands.total;
    const burstNames = new Map(commands.byName);
    const expected = incidents * FIRST_PAGED.length;
    const deadline = dueAt + 120_000;
    while (fired.finished.length < expected && Date.now() < deadline) await sleep(20);
    await drainOutbox(outbox);
    const commandsPerTimer = (commands.total - burstFrom) / Math.max(1, fired.finished.length);
    const timerMix = commands.top(burstNames, Math.max(1, fired.finished.length));
    const last = Math.max(...fired.finished);
    return {
      firings: fired.finished.length,
      expected,
      lateness: fired.entered,
      drainPerSecond: fired.finished.length / Math.max(0.001, (last - dueAt) / 1000),
      commandsPerTimer,
      commandsPerDeclare,
      declareMs,
      declareMix,
      timerMix,
    };
  } finally {
    unlisten();
    await bot.stop();
  }
}

// ---------------------------------------------------------------- timers on a busy machine

/** Two processes spinning on the CPU (the machine has two cores), killed afterwards. */
function burnCpu(count: number): ChildProcess[] {
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

export async function timersUnderLoad(clients: Clients, prefix: string, plan: timers.TimerPlan): Promise<timers.TimerRun> {
  const burners = burnCpu(2);
  try {
    return await timers.muster(clients, prefix, plan);
  } finally {
    for (const burner of burners) burner.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------- the figures, for bench/run.ts

/** The keys name the sizes (1,000 others, 1,000 escalations): keep others 1,000 and burstIncidents 200. */
export interface ScalePlan {
  others: number;
  concurrency: number;
  rounds: number;
  burstIncidents: number;
  timers: timers.TimerPlan;
}

const ms = (value: number) => `${round1(value).toFixed(1)} ms`;

/** Runs the #15 measurements, reports their rows and returns their JSON keys (the timer ratios need run.ts's unloaded figure). */
export async function scaleFigures(clients: Clients, prefix: string, plan: ScalePlan, unloadedTimerP99: number, report: Report): Promise<Record<string, number>> {
  report.progress(`scale: ${plan.rounds} x ${plan.concurrency} concurrent declares with ${plan.others} other active incidents and with none, alternating`);
  const active = await declaresWithActive(clients, `${prefix}active:`, plan);
  const empty = summarize(active.empty);
  const loaded = summarize(active.loaded);
  const activeRatio = loaded.p99 / Math.max(empty.p99, 0.001);
  report.row(`declare->5 pages p99 with ${active.others - 5} other active / none`, `${activeRatio.toFixed(2)}x`, '<= 1.2x', activeRatio <= 1.2);
  report.row(`  (info) declare->5 pages p99, ${plan.concurrency} at once: none / ${active.others - 5} other active`, `${ms(empty.p99)} / ${ms(loaded.p99)}`);

  report.progress(`scale: ${plan.burstIncidents} P1s whose ${plan.burstIncidents * FIRST_PAGED.length} escalations come due at one moment`);
  const burst = await escalationBurst(clients, `${prefix}burst:`, plan.burstIncidents);
  const late = summarize(burst.lateness);
  report.row(`${burst.expected} escalations due at once: lateness p99 at handler entry`, ms(late.p99), '< 1000 ms', late.p99 < 1000 && burst.firings === burst.expected);
  report.row(`${burst.expected} escalations due at once: drained per second`, `${Math.round(burst.drainPerSecond)}/s`, '> 1000/s', burst.drainPerSecond > 1000);
  report.row('Redis commands per declare (client side, all connections)', burst.commandsPerDeclare.toFixed(1), '<= 15', burst.commandsPerDeclare <= 15);
  report.row('Redis commands per escalation firing (client side, all connections)', burst.commandsPerTimer.toFixed(1), '<= 6', burst.commandsPerTimer <= 6);
  report.note(`burst: ${burst.firings}/${burst.expected} escalations fired (lateness p50 ${ms(late.p50)}, max ${ms(late.max)}); the ${plan.burstIncidents} declares took ${ms(burst.declareMs)}, 20 in flight; commands counted at ioredis's sendCommand, pipelined and scripted commands one each, BullMQ's worker polling included`);
  report.note(`commands per declare: ${burst.declareMix}; per escalation firing: ${burst.timerMix}`);

  report.progress(`scale: ${plan.timers.count} timers with two CPU-burning processes running`);
  const busy = await timersUnderLoad(clients, `${prefix}busy`, plan.timers);
  const busyP99 = summarize(busy.lateness).p99;
  const loadedRatio = busyP99 / Math.max(unloadedTimerP99, 0.001);
  report.row(`timer lateness p99, ${plan.timers.count} pending, two CPU burners / none`, `${loadedRatio.toFixed(2)}x`, '<= 1.2x', loadedRatio <= 1.2);
  report.row(`  (info) timer lateness p99 with two CPU burners`, ms(busyP99));
  report.note(`timers under load: added ${plan.timers.count} in ${busy.addMs} ms (${busy.addedLate} after their due time), ${busy.missing} never fired`);

  return {
    declare_active_1000_ratio: Math.round(activeRatio * 100) / 100,
    burst_1000_timer_p99_ms: round1(late.p99),
    burst_drain_per_s: Math.round(burst.drainPerSecond),
    timer_loaded_ratio: Math.round(loadedRatio * 100) / 100,
    redis_calls_per_declare: round1(burst.commandsPerDeclare),
    redis_calls_per_timer: round1(burst.commandsPerTimer),
  };
}
