/**
 * Declare with a history: declare-to-pages p99 of a production-mode Muster
 * whose store holds N resolved past incidents (with knowledge entries,
 * indexed at start from the store), over the same figure on an empty store,
 * in the same process and run (`declare_with_history_ratio`, target <= 1.1).
 * Rounds alternate between the two bots so machine drift hits both alike;
 * between rounds the history bot's similar-incident follow-ups settle, so
 * each round's figure carries its own bot's work only.
 *
 *   npx tsx bench/history.ts     standalone (HISTORY_INCIDENTS, HISTORY_ROUNDS, HISTORY_PER_ROUND)
 */
import { randomUUID } from 'node:crypto';
import { RedisStore } from '../adapters/redis/store.js';
import { hashTaggedPrefix } from '../src/config/redis-keys.js';
import { performance } from 'node:perf_hooks';
import { declareRequest } from './config.js';
import { drainOutbox, startProductionMuster, type ProductionMuster } from './declare.js';
import { generateIncidents } from './kb.js';
import { PAST_INCIDENTS } from '../test/support/kb-incidents.js';
import { connectClients, deleteByPrefix, type Clients } from './redis.js';
import { forEachLimit, summarize, type Summary } from './stats.js';

export interface HistoryPlan {
  incidents: number;
  rounds: number;
  perRound: number;
  warmup: number;
}

export interface HistoryResults {
  empty: Summary;
  history: Summary;
  /** history p99 / empty p99. */
  ratio: number;
  incidents: number;
  /** Start of the history bot until its index was built from the store. */
  indexReadyMs: number;
  /** Declares of the history bot that got similar past incidents posted. */
  suggested: number;
}

/** Number the new incidents after the history's (INC-10000 and on), as a store that lived that long does. */
const COUNTER_AFTER_HISTORY = 100_000;

/** Writes `count` resolved past incidents into the store, as their commits would have left them. */
async function seedHistory(clients: Clients, prefix: string, count: number): Promise<void> {
  const store = new RedisStore(clients.commands, { prefix });
  await forEachLimit(generateIncidents(count), 32, async (incident) => {
    const ok = await store.commit({ incident: { ...incident, version: 1 }, expectedVersion: 0, events: [], outbox: [] });
    if (!ok) throw new Error(`could not seed ${incident.id}`);
  });
  await clients.commands.set(`${hashTaggedPrefix(prefix)}counter`, String(COUNTER_AFTER_HISTORY));
}

let declared = 0;

/**
 * One declaration, timed from dispatch to the last of the five first pages,
 * then its outbox drained. Titles and summaries are real-looking incidents'
 * (the fixture the history recombines), so the similar-incident query does
 * the work a real declare costs; both bots get the same ones.
 */
async function declareOnce(bot: ProductionMuster, index: number): Promise<number> {
  declared += 1;
  const past = PAST_INCIDENTS[index % PAST_INCIDENTS.length]!;
  const request = { ...declareRequest(`h${declared}-${process.pid}`), args: `declare "${past.title.replace(/"/g, "'")}" sev=P1 service=checkout anyway=yes summary="${past.summary.replace(/"/g, "'")}"` };
  const startedAt = performance.now();
  const reply = await bot.muster.dispatch(request);
  const id = /\bINC-\d+\b/.exec(reply.message.text)?.[0];
  if (!id || reply.message.tone === 'warning') throw new Error(`declare failed: ${reply.message.text}`);
  const lastPageAt = await bot.chat.allPaged(id, 60_000);
  bot.chat.forget(id);
  await drainOutbox(bot.outbox);
  return lastPageAt - startedAt;
}

async function declares(bot: ProductionMuster, count: number, from: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) samples.push(await declareOnce(bot, from + i));
  return samples;
}

async function settle(bot: ProductionMuster): Promise<void> {
  await bot.muster.knowledge.idle();
  await drainOutbox(bot.outbox);
}

export async function declareWithHistory(clients: Clients, prefix: string, plan: HistoryPlan, progress: (text: string) => void = () => {}): Promise<HistoryResults> {
  const bots: ProductionMuster[] = [];
  try {
    progress(`history: seeding ${plan.incidents} resolved incidents`);
    await seedHistory(clients, `${prefix}hist:`, plan.incidents);
    const empty = await startProductionMuster(clients, `${prefix}empty:`);
    bots.push(empty);
    const started = performance.now();
    const history = await startProductionMuster(clients, `${prefix}hist:`);
    bots.push(history);
    await history.muster.knowledgeReady;
    const indexReadyMs = performance.now() - started;
    const indexed = history.muster.knowledge.base.index.engine.documentCount;
    if (indexed < plan.incidents) throw new Error(`history bot indexed ${indexed} of ${plan.incidents} incidents`);
    for (const bot of bots) {
      await declares(bot, plan.warmup, 0);
      await settle(bot);
    }
    const samples = { empty: [] as number[], history: [] as number[] };
    for (let round = 0; round < plan.rounds; round += 1) {
      const order: Array<['empty' | 'history', ProductionMuster]> = round % 2 === 0 ? [['empty', empty], ['history', history]] : [['history', history], ['empty', empty]];
      for (const [name, bot] of order) {
        progress(`history: round ${round + 1}/${plan.rounds}, ${plan.perRound} declares on the ${name} store`);
        samples[name].push(...(await declares(bot, plan.perRound, round * plan.perRound)));
        await settle(bot);
      }
    }
    const recent = await history.muster.commandDeps.store.listRecent(plan.rounds * plan.perRound + plan.warmup);
    const suggested = recent.filter((incident) => incident.knowledge?.suggested && incident.knowledge.suggested.length > 0).length;
    const emptySummary = summarize(samples.empty);
    const historySummary = summarize(samples.history);
    return { empty: emptySummary, history: historySummary, ratio: historySummary.p99 / emptySummary.p99, incidents: indexed, indexReadyMs, suggested };
  } finally {
    for (const bot of bots) await bot.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const plan: HistoryPlan = {
    incidents: Number(process.env.HISTORY_INCIDENTS ?? 10_000),
    rounds: Number(process.env.HISTORY_ROUNDS ?? 4),
    perRound: Number(process.env.HISTORY_PER_ROUND ?? 50),
    warmup: 5,
  };
  const prefix = `bench:{${randomUUID()}}:history:`;
  const clients = await connectClients();
  try {
    const result = await declareWithHistory(clients, prefix, plan, (text) => process.stderr.write(`[bench] ${text}\n`));
    console.log(JSON.stringify(result));
  } finally {
    await clients.close();
    await deleteByPrefix(prefix.replace(/history:$/, ''));
  }
}
