/**
 * Muster benchmarks (run on demand, never as timed tests).
 *
 *   npx tsx bench/run.ts            full run (about a minute or two)
 *   BENCH_QUICK=1 npx tsx bench/run.ts   smoke run
 *
 * Production-mode figures use the real Redis at REDIS_URL under a fresh
 * "bench:<uuid>:" prefix, deleted (SCAN+DEL) at the end. The Slack phase
 * (bench/slack.ts) runs the real bot (startSlackBot, production mode, under
 * "bench:<uuid>:slack:") against test/support/slack's fake Web API, with a
 * floor of plain POSTs to the same fake measured in the same run. The alert phase
 * (bench/alerts.ts) POSTs Alertmanager payloads to the real hook server
 * (startHookServer) over a production-mode Muster under "bench:<uuid>:alerts:".
 * The Discord phase (bench/discord.ts) runs the real bot (startDiscordBot,
 * production mode under "bench:<uuid>:discord:", gateway lease included)
 * against test/support/discord's fake REST API and gateway, beside a floor of
 * plain POSTs to the same fake. The history phase (bench/history.ts) declares
 * on a production-mode Muster whose store holds 10,000 resolved incidents
 * (indexed at start) and on one over an empty store, in alternating rounds
 * (`declare_with_history_ratio`). The paging phase (bench/paging.ts) runs
 * buildRuntime in production mode under "bench:<uuid>:paging:" with local
 * fakes of ntfy and Twilio: declare to each person's first push
 * (`page_to_provider_p99_ms`) and a signed Gather keypress to the slot staffed
 * and the board drawn (`phone_ack_p99_ms`), beside plain-POST floors. The table and notes
 * go to stdout; the very last stdout line is one JSON object with the figures.
 * Logs (only warnings and errors) go to stderr.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { concurrentDeclares, sequentialDeclares, startProductionMuster, timeReconcile, warmUp, type ProductionMuster } from './declare.js';
import { connectClients, countByPrefix, deleteByPrefix, redact, REDIS_URL, type Clients } from './redis.js';
import type { ProcessResults } from './process.js';
import { embeddedRss } from './rss.js';
import { round1, summarize, type Summary } from './stats.js';
import * as timers from './timers.js';

const QUICK = process.env.BENCH_QUICK === '1';

const PLAN = QUICK
  ? { sequential: 50, concurrency: 200, batches: 1, warmup: 5, timers: 1_000, rssIncidents: 1_000, kbIncidents: 2_000 }
  : { sequential: 200, concurrency: 200, batches: 3, warmup: 10, timers: 10_000, rssIncidents: 1_000, kbIncidents: 10_000 };

/** The Slack phase: signed slash commands over HTTP to the real bot, against the fake Web API. */
const SLACK_PLAN = QUICK
  ? { sequential: 20, concurrency: 50, batches: 1, warmup: 3 }
  : { sequential: 100, concurrency: 50, batches: 4, warmup: 5 };

/** Alert ingestion: Alertmanager webhooks over HTTP to the real hook server. */
const ALERT_PLAN = QUICK
  ? { throughput: { alerts: 1_000, fingerprints: 20, perPost: 50, inFlight: 10 }, warmup: 3, sequential: 20, concurrency: 50, batches: 1 }
  : { throughput: { alerts: 2_000, fingerprints: 20, perPost: 50, inFlight: 10 }, warmup: 5, sequential: 100, concurrency: 50, batches: 3 };

/**
 * The Discord phase: slash commands over the fake gateway to the real bot. One
 * at a time is paced (start to start), so the REST client's global budget
 * (50 requests per second, as on Discord) is not what the figure measures; the
 * back-to-back run shows what it does to a burst.
 */
const DISCORD_PLAN = QUICK
  ? { warmup: 3, sequential: 10, paceMs: 250, backToBack: 10, concurrency: 50, batches: 1 }
  : { warmup: 5, sequential: 50, paceMs: 250, backToBack: 20, concurrency: 50, batches: 2 };

/**
 * The bot as its own process (bench/process.ts): start to ready, compiled and
 * through tsx, taking turns; then the compiled bot's RSS holding 1,000 P1s,
 * declared one at a time as in the embedded RSS phase: what 1,000 incidents
 * keep, not the peak of a burst.
 */
const PROCESS_PLAN = QUICK ? { readyRuns: 3, rssIncidents: 1_000, inFlight: 1 } : { readyRuns: 5, rssIncidents: 1_000, inFlight: 1 };

const TIMER_PLAN = { count: PLAN.timers, startInMs: 2_000, spreadMs: 10_000 };

/** #15's scale figures (bench/scale.ts): 1,000 other active incidents, a burst of 1,000 escalations, timers on a busy machine. */
const SCALE_PLAN = { others: 1_000, concurrency: 200, rounds: QUICK ? 1 : 3, burstIncidents: 200, timers: TIMER_PLAN };

/** Declares over a store holding a history of resolved incidents, against an empty store (bench/history.ts). */
const HISTORY_PLAN = QUICK ? { incidents: 2_000, rounds: 2, perRound: 25, warmup: 5 } : { incidents: 10_000, rounds: 8, perRound: 50, warmup: 10 };

/** Waking people (bench/paging.ts): 50 P1s at once with everyone on ntfy; Gather keypresses one at a time, then together. */
const PAGING_PLAN = QUICK ? { warmup: 3, concurrency: 50, batches: 1, acks: 20, acksAtOnce: 20 } : { warmup: 5, concurrency: 50, batches: 3, acks: 100, acksAtOnce: 50 };

/** The slow-platform phase (bench/slow-platform.ts). */
const SLOW_PLAN = QUICK ? { afterAck: 30, duplicates: 60, tierDeclares: 50 } : { afterAck: 100, duplicates: 200, tierDeclares: 50 };

interface Row {
  metric: string;
  value: string;
  target: string;
  ok: string;
}

const rows: Row[] = [];
const notes: string[] = [];

const ms = (value: number) => `${round1(value).toFixed(1)} ms`;
const progress = (text: string) => process.stderr.write(`[bench] ${text}\n`);

function row(metric: string, value: string, target = '', ok?: boolean): void {
  rows.push({ metric, value, target, ok: ok === undefined ? '' : ok ? 'yes' : 'NO' });
}

function printTable(): void {
  const header: Row = { metric: 'metric', value: 'value', target: 'target', ok: 'ok?' };
  const all = [header, ...rows];
  const width = (key: keyof Row) => Math.max(...all.map((r) => r[key].length));
  const widths = { metric: width('metric'), value: width('value'), target: width('target'), ok: width('ok') };
  const line = (r: Row) => `| ${r.metric.padEnd(widths.metric)} | ${r.value.padStart(widths.value)} | ${r.target.padEnd(widths.target)} | ${r.ok.padEnd(widths.ok)} |`;
  const rule = `|${'-'.repeat(widths.metric + 2)}|${'-'.repeat(widths.value + 2)}|${'-'.repeat(widths.target + 2)}|${'-'.repeat(widths.ok + 2)}|`;
  console.log(line(header));
  console.log(rule);
  for (const r of rows) console.log(line(r));
}

async function productionDeclares(clients: Clients, prefix: string): Promise<{ one: Summary; many: Summary }> {
  let bot: ProductionMuster | undefined;
  try {
    bot = await startProductionMuster(clients, prefix);
    progress(`declare: warm-up (${PLAN.warmup})`);
    await warmUp(bot, PLAN.warmup);
    progress(`declare: ${PLAN.sequential} sequential`);
    const seq = await sequentialDeclares(bot, PLAN.sequential);
    progress(`declare: ${PLAN.batches} x ${PLAN.concurrency} concurrent`);
    const conc = await concurrentDeclares(bot, PLAN.concurrency, PLAN.batches);
    const one = summarize(seq.pages);
    const many = summarize(conc.pages);
    const oneReply = summarize(seq.replies);
    const manyReply = summarize(conc.replies);
    row('declare->5 pages p50, 1 at a time', ms(one.p50));
    row('declare->5 pages p99, 1 at a time', ms(one.p99), '< 50 ms', one.p99 < 50);
    row(`declare->5 pages p50, ${PLAN.concurrency} at once`, ms(many.p50));
    row(`declare->5 pages p99, ${PLAN.concurrency} at once`, ms(many.p99), '< 250 ms', many.p99 < 250);
    row('  (info) dispatch reply p50/p99, 1 at a time', `${ms(oneReply.p50)} / ${ms(oneReply.p99)}`);
    row(`  (info) dispatch reply p50/p99, ${PLAN.concurrency} at once`, `${ms(manyReply.p50)} / ${ms(manyReply.p99)}`);
    notes.push(`declare: ${one.n} sequential samples (max ${ms(one.max)}), ${many.n} concurrent samples in ${PLAN.batches} batch(es) (max ${ms(many.max)}), after ${PLAN.warmup} warm-up declarations`);
    notes.push(`declare: p99 per concurrent batch ${conc.batchP99.map(ms).join(', ')}; this process's event loop was ${Math.round(conc.eventLoopUtilization * 100)}% busy during the batches`);
    if (!QUICK) {
      progress('declare: one watchdog pass over the active incidents');
      const pass = await timeReconcile(bot);
      row(`  (info) watchdog reconcile, ${pass.incidents} active`, ms(pass.ms));
      notes.push(`watchdog reconcile re-scheduled ${pass.timers} timers for ${pass.incidents} active incidents in ${ms(pass.ms)}`);
    }
    const problems = bot.logger.warnings + bot.logger.errors;
    if (problems > 0) notes.push(`declare: Muster logged ${bot.logger.warnings} warnings and ${bot.logger.errors} errors (see stderr)`);
    return { one, many };
  } finally {
    await bot?.stop();
  }
}

interface SlackResults {
  one: Summary;
  many: Summary;
  floor: Summary;
}

async function slackDeclares(prefix: string): Promise<SlackResults> {
  progress('slack: starting the bot (production mode) against the fake Slack');
  // Loaded here, not at the top: Bolt, the Web API client and the fake add ~65 MB
  // of modules, which must not count in the RSS figure measured first.
  const { SlackBench } = await import('./slack.js');
  const slack = await SlackBench.start(prefix);
  try {
    progress(`slack: warm-up (${SLACK_PLAN.warmup} one at a time, then ${SLACK_PLAN.concurrency} at once)`);
    await slack.warmUp(SLACK_PLAN.warmup, SLACK_PLAN.concurrency);
    const bodyBytes = slack.slashBodyBytes();
    // The floor warms its own connections first, as the warm-up batch did for the bot's.
    await slack.floor(SLACK_PLAN.concurrency, 1, bodyBytes);
    slack.resetCounts();
    progress(`slack: ${SLACK_PLAN.sequential} sequential declarations`);
    const seqStart = performance.now();
    const seq = await slack.sequential(SLACK_PLAN.sequential);
    const seqEnd = performance.now();
    const webCalls = [...slack.callCounts.values()].reduce((a, b) => a + b, 0) / SLACK_PLAN.sequential;
    const perDeclare = [...slack.callCounts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([method, count]) => `${method} ${round1(count / SLACK_PLAN.sequential)}`)
      .join(', ');
    progress(`slack: ${SLACK_PLAN.batches} x ${SLACK_PLAN.concurrency} concurrent declarations`);
    const conc = await slack.concurrent(SLACK_PLAN.concurrency, SLACK_PLAN.batches);
    const floorCount = SLACK_PLAN.concurrency * SLACK_PLAN.batches;
    // A declaration is this many HTTP exchanges: its slash command, its Web API calls, its response_url reply.
    const exchanges = Math.round(webCalls) + 2;
    progress(`slack: floor, ${floorCount} plain POSTs (${SLACK_PLAN.concurrency} at once), ${SLACK_PLAN.sequential} one at a time, ${floorCount} x ${exchanges} in series`);
    const floorMany = summarize(await slack.floor(SLACK_PLAN.concurrency, SLACK_PLAN.batches, bodyBytes));
    const floorOne = summarize(await slack.floor(1, SLACK_PLAN.sequential, bodyBytes));
    const floorMatched = summarize(await slack.floor(SLACK_PLAN.concurrency, SLACK_PLAN.batches, bodyBytes, exchanges));

    const one = summarize(seq.pages);
    const many = summarize(conc.pages);
    const ratio = many.p99 / Math.max(floorMany.p99, 0.1);
    const n = SLACK_PLAN.concurrency;
    row('slack declare->5 DMs p50, 1 at a time', ms(one.p50));
    row('slack declare->5 DMs p99, 1 at a time', ms(one.p99));
    row(`slack declare->5 DMs p50, ${n} at once`, ms(many.p50));
    row(`slack declare->5 DMs p99, ${n} at once`, ms(many.p99), `<= 3x floor (${ms(3 * floorMany.p99)})`, ratio <= 3);
    row(`slack floor: plain POST p50, ${n} at once`, ms(floorMany.p50));
    row(`slack floor: plain POST p99, ${n} at once`, ms(floorMany.p99));
    row(`  (info) slack declare p99 / floor p99, ${n} at once`, `${ratio.toFixed(1)}x`, '<= 3x', ratio <= 3);
    row('  (info) slack floor p50/p99, 1 at a time', `${ms(floorOne.p50)} / ${ms(floorOne.p99)}`);
    row(`  (info) slack floor x${exchanges} POSTs in series p50/p99, ${n} at once`, `${ms(floorMatched.p50)} / ${ms(floorMatched.p99)}`);
    row(`  (info) slack declare p99 / floor x${exchanges} p99, ${n} at once`, `${(many.p99 / Math.max(floorMatched.p99, 0.1)).toFixed(1)}x`);
    for (const [label, samples] of [['1 at a time', seq], [`${n} at once`, conc]] as const) {
      const acks = summarize(samples.acks);
      const replies = summarize(samples.replies);
      row(`  (info) slack HTTP ack p50/p99, ${label}`, `${ms(acks.p50)} / ${ms(acks.p99)}`);
      row(`  (info) slack reply at response_url p50/p99, ${label}`, `${ms(replies.p50)} / ${ms(replies.p99)}`);
    }
    notes.push(
      `slack: ${one.n} sequential samples (max ${ms(one.max)}), ${many.n} concurrent in ${SLACK_PLAN.batches} batch(es) (max ${ms(many.max)}), after ${SLACK_PLAN.warmup} + ${SLACK_PLAN.concurrency} warm-up declarations; floor: ${floorMany.n} POSTs of ${bodyBytes} bytes (the slash command's body size), ${n} at once, max ${ms(floorMany.max)}`,
    );
    notes.push(`slack: p99 per concurrent batch ${conc.batchP99.map(ms).join(', ')}; this process (bot, fake Slack and client alike) was ${Math.round(conc.eventLoopUtilization * 100)}% busy during the batches`);
    notes.push(`slack: Web API calls per sequential declaration: ${perDeclare}; with the slash command and the response_url reply, ${exchanges} HTTP exchanges per declaration (the floor x${exchanges} row sends that many POSTs per sample)`);
    const passes = slack.watchdogPasses;
    const overlaps = (at: number, end: number) => conc.windows.some(([s0, s1]) => at < s1 && end > s0) || (at < seqEnd && end > seqStart);
    notes.push(
      `slack: the bot's watchdog (every 15 s, always on in startSlackBot) ran ${passes.length} pass(es) during the phase${passes.length ? ` (${passes.map((p) => ms(p.ms)).join(', ')}), ${passes.filter((p) => overlaps(p.at, p.at + p.ms)).length} overlapping a measurement` : ''}`,
    );
    if (slack.failedCalls > 0) notes.push(`slack: ${slack.failedCalls} Web API calls were answered with an error`);
    const problems = slack.logger.warnings + slack.logger.errors;
    if (problems > 0) notes.push(`slack: the bot logged ${slack.logger.warnings} warnings and ${slack.logger.errors} errors (see stderr)`);
    return { one, many, floor: floorMany };
  } finally {
    await slack.stop();
  }
}

interface AlertResults {
  perSecond: number;
  one: Summary;
  many: Summary;
}

async function alertIngestion(clients: Clients, prefix: string): Promise<AlertResults> {
  progress('alerts: starting Muster (production mode) and the hook server on 127.0.0.1:0');
  const { AlertBench } = await import('./alerts.js');
  const bench = await AlertBench.start(clients, prefix);
  try {
    progress(`alerts: warm-up (${ALERT_PLAN.warmup})`);
    await bench.warmUp(ALERT_PLAN.warmup);
    const tp = ALERT_PLAN.throughput;
    progress(`alerts: throughput, ${tp.alerts} alerts over ${tp.fingerprints} fingerprints, ${tp.perPost} per POST, ${tp.inFlight} POSTs in flight`);
    const run = await bench.throughput('storm', tp);
    progress(`alerts: ${ALERT_PLAN.sequential} fresh alerts one at a time`);
    const seq = await bench.sequential(ALERT_PLAN.sequential);
    progress(`alerts: ${ALERT_PLAN.batches} x ${ALERT_PLAN.concurrency} fresh alerts at once`);
    const conc = await bench.concurrent(ALERT_PLAN.concurrency, ALERT_PLAN.batches);
    const one = summarize(seq.pages);
    const many = summarize(conc.pages);
    const posts = summarize(run.postMs);
    const n = ALERT_PLAN.concurrency;
    // Each distinct alert is on the timeline once per status; its repeats are counted on the record.
    const stormOk = run.incidents === tp.fingerprints && run.onTimelines === tp.fingerprints;
    row(`alerts accepted per second (${run.alerts} alerts, ${tp.fingerprints} fingerprints, ${tp.perPost}/POST, ${tp.inFlight} in flight)`, `${Math.round(run.alertsPerSecond)} /s`);
    row('  (info) alert storm: incidents / distinct alerts on timelines', `${run.incidents} / ${run.onTimelines}`, `${tp.fingerprints} / ${tp.fingerprints}`, stormOk);
    row(`  (info) alert POST of ${tp.perPost} -> 202 p50/p99, ${tp.inFlight} in flight`, `${ms(posts.p50)} / ${ms(posts.p99)}`);
    row('alert->5 pages p50, 1 at a time', ms(one.p50));
    row('alert->5 pages p99, 1 at a time', ms(one.p99));
    row(`alert->5 pages p50, ${n} at once`, ms(many.p50));
    row(`alert->5 pages p99, ${n} at once`, ms(many.p99));
    for (const [label, samples] of [['1 at a time', seq], [`${n} at once`, conc]] as const) {
      const accepted = summarize(samples.accepted);
      row(`  (info) alert POST -> 202 p50/p99, ${label}`, `${ms(accepted.p50)} / ${ms(accepted.p99)}`);
    }
    const actions = Object.entries(run.actions).map(([action, count]) => `${count} ${action}`).join(', ');
    notes.push(`alerts: throughput ${run.alerts} alerts in ${run.posts} POSTs over ${Math.round(run.wallMs)} ms (first POST to last 202; ${actions}); this process (hook server, Muster and client alike) was ${Math.round(run.eventLoopUtilization * 100)}% busy meanwhile`);
    notes.push(`alerts: latency on fresh fingerprints (each POST declares a P1): ${one.n} one at a time (max ${ms(one.max)}), ${many.n} in ${ALERT_PLAN.batches} batch(es) of ${n} (max ${ms(many.max)}; p99 per batch ${conc.batchP99.map(ms).join(', ')}; ${Math.round(conc.eventLoopUtilization * 100)}% busy), after ${ALERT_PLAN.warmup} warm-up alerts`);
    const problems = bench.logger.warnings + bench.logger.errors;
    if (problems > 0) notes.push(`alerts: Muster logged ${bench.logger.warnings} warnings and ${bench.logger.errors} errors (see stderr)`);
    return { perSecond: run.alertsPerSecond, one, many };
  } finally {
    await bench.stop();
  }
}

interface DiscordResults {
  one: Summary;
  many: Summary;
  floor: Summary;
}

async function discordDeclares(prefix: string): Promise<DiscordResults> {
  // Loaded here, not at the top: discord.js and the fake must not count in the RSS figure.
  const { DiscordBench } = await import('./discord.js');
  const { DISCORD_GLOBAL_PER_SECOND } = await import('../adapters/discord/request-gate.js');
  let mode: 'production' | 'embedded' = 'production';
  progress('discord: starting the bot (production mode) against the fake Discord');
  let discord: Awaited<ReturnType<typeof DiscordBench.start>>;
  try {
    discord = await DiscordBench.start(prefix, 'production');
  } catch (error) {
    mode = 'embedded';
    notes.push(`discord: production mode would not start (${error instanceof Error ? error.message : String(error)}); measured in embedded mode`);
    progress('discord: production mode failed; starting in embedded mode');
    discord = await DiscordBench.start(prefix, 'embedded');
  }
  try {
    const P = DISCORD_PLAN;
    progress(`discord: warm-up (${P.warmup} one at a time, then ${P.concurrency} at once)`);
    await discord.warmUp(P.warmup, P.concurrency);
    // Let the REST client's one-second global window run out before measuring.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    discord.resetCounts();
    progress(`discord: ${P.sequential} declarations one at a time (${P.paceMs} ms apart, start to start)`);
    const seqStart = performance.now();
    const seq = await discord.sequential(P.sequential, P.paceMs);
    const seqEnd = performance.now();
    const perDeclare = [...discord.callCounts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([call, count]) => `${call} ${round1(count / P.sequential)}`)
      .join(', ');
    const restCalls = [...discord.callCounts.values()].reduce((a, b) => a + b, 0) / P.sequential;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    progress(`discord: ${P.backToBack} declarations back to back`);
    const b2b = await discord.sequential(P.backToBack);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    progress(`discord: ${P.batches} x ${P.concurrency} concurrent declarations`);
    const conc = await discord.concurrent(P.concurrency, P.batches);
    const floorCount = P.concurrency * P.batches;
    const bodyBytes = discord.pageBodyBytes();
    progress(`discord: floor, ${floorCount} plain POSTs (${P.concurrency} at once), ${P.sequential} one at a time`);
    const floorMany = summarize(await discord.floor(P.concurrency, floorCount, bodyBytes));
    const floorOne = summarize(await discord.floor(1, P.sequential, bodyBytes));

    const one = summarize(seq.pages);
    const many = summarize(conc.pages);
    const burst = summarize(b2b.pages);
    const n = P.concurrency;
    const ratio = many.p99 / Math.max(floorMany.p99, 0.1);
    row(`discord declare->5 DMs p50, 1 at a time (${mode})`, ms(one.p50));
    row(`discord declare->5 DMs p99, 1 at a time (${mode})`, ms(one.p99));
    row(`discord declare->5 DMs p50, ${n} at once (${mode})`, ms(many.p50));
    row(`discord declare->5 DMs p99, ${n} at once (${mode})`, ms(many.p99), `<= 3x floor (${ms(3 * floorMany.p99)})`, ratio <= 3);
    row(`discord floor: plain POST p50, ${n} at once`, ms(floorMany.p50));
    row(`discord floor: plain POST p99, ${n} at once`, ms(floorMany.p99));
    row(`  (info) discord declare p99 / floor p99, ${n} at once`, `${ratio.toFixed(1)}x`, '<= 3x', ratio <= 3);
    // Discord's global limit is a floor the plain-POST floor does not show: 5 DMs per declare, 50 requests
    // a second, the first second's at once.
    row(`  (info) discord global limit: ${n * 5} DMs at ${DISCORD_GLOBAL_PER_SECOND}/s take at least`, ms((Math.ceil((n * 5) / DISCORD_GLOBAL_PER_SECOND) - 1) * 1_000));
    row('  (info) discord floor p50/p99, 1 at a time', `${ms(floorOne.p50)} / ${ms(floorOne.p99)}`);
    row(`  (info) discord declare->5 DMs p50/p99, ${P.backToBack} back to back`, `${ms(burst.p50)} / ${ms(burst.p99)}`);
    for (const [label, samples] of [['1 at a time', seq], [`${n} at once`, conc]] as const) {
      const defers = summarize(samples.defers);
      const replies = summarize(samples.replies);
      row(`  (info) discord deferral p50/p99, ${label}`, `${ms(defers.p50)} / ${ms(defers.p99)}`);
      row(`  (info) discord edited reply p50/p99, ${label}`, `${ms(replies.p50)} / ${ms(replies.p99)}`);
    }
    notes.push(
      `discord (${mode} mode): ${one.n} samples one at a time (max ${ms(one.max)}), ${many.n} in ${P.batches} batch(es) of ${n} (max ${ms(many.max)}), after ${P.warmup} + ${n} warm-up declarations; floor: ${floorMany.n} POSTs of ${bodyBytes} bytes (a page DM's body size) to the fake's POST /channels/<id>/typing, ${n} at once, max ${ms(floorMany.max)}`,
    );
    notes.push(`discord: p99 per concurrent batch ${conc.batchP99.map(ms).join(', ')}, each batch took ${conc.windows.map(([a, b]) => ms(b - a)).join(', ')}; this process (bot, fake Discord and client alike) was ${Math.round(conc.eventLoopUtilization * 100)}% busy during the batches`);
    const rate = discord.chatCallRate(conc.windows);
    notes.push(
      `discord: during the concurrent batches the chat port's REST calls reached the fake at ${round1(rate.calls / Math.max(rate.seconds, 0.001))}/s on average, at most ${rate.maxPerSecond} in any one second (${rate.calls} calls); discord.js's REST client allows 50 requests per second (Discord's global limit) and sends one request at a time per route bucket (one DM channel, the broadcast channel)`,
    );
    notes.push(`discord: REST calls per declaration (one at a time): ${perDeclare}; ${round1(restCalls)} in all, of which the deferral and the edited reply go through the gateway client's REST and the rest through the chat port's`);
    const passes = discord.watchdogPasses;
    const overlaps = (at: number, end: number) => conc.windows.some(([s0, s1]) => at < s1 && end > s0) || (at < seqEnd && end > seqStart);
    notes.push(
      `discord: the bot's watchdog (always on in startDiscordBot) ran ${passes.length} pass(es) during the phase${passes.length ? ` (${passes.map((p) => ms(p.ms)).join(', ')}), ${passes.filter((p) => overlaps(p.at, p.at + p.ms)).length} overlapping a measurement` : ''}`,
    );
    if (discord.failedCalls > 0) notes.push(`discord: ${discord.failedCalls} REST calls were answered with an error: ${[...discord.failures].map(([what, count]) => `${what} x${count}`).join(', ')}`);
    const problems = discord.logger.warnings + discord.logger.errors;
    if (problems > 0) notes.push(`discord: the bot logged ${discord.logger.warnings} warnings and ${discord.logger.errors} errors (see stderr)`);
    return { one, many, floor: floorMany };
  } finally {
    await discord.stop();
  }
}

async function timerLateness(clients: Clients, prefix: string): Promise<{ muster: Summary; bare: Summary }> {
  progress(`timers: ${TIMER_PLAN.count} via BullMQScheduler`);
  const viaScheduler = await timers.muster(clients, `${prefix}timers`, TIMER_PLAN);
  progress(`timers: ${TIMER_PLAN.count} bare BullMQ delayed jobs`);
  const viaBare = await timers.bare(clients, `${prefix}bare`, TIMER_PLAN);
  const muster = summarize(viaScheduler.lateness);
  const bare = summarize(viaBare.lateness);
  const within = viaScheduler.missing === 0 && muster.p99 <= 1.5 * Math.max(bare.p99, 1);
  row(`timer lateness p50, ${TIMER_PLAN.count} pending (BullMQScheduler)`, ms(muster.p50));
  row(`timer lateness p99, ${TIMER_PLAN.count} pending (BullMQScheduler)`, ms(muster.p99), `<= 1.5x bare (${ms(1.5 * bare.p99)})`, within);
  row(`bare BullMQ lateness p50, ${TIMER_PLAN.count} pending`, ms(bare.p50));
  row(`bare BullMQ lateness p99, ${TIMER_PLAN.count} pending`, ms(bare.p99));
  for (const [name, run] of [['BullMQScheduler', viaScheduler], ['bare BullMQ', viaBare]] as const) {
    notes.push(`${name}: added ${TIMER_PLAN.count} timers in ${run.addMs} ms (${run.addedLate} added after their due time); max lateness ${ms(summarize(run.lateness).max)}; worker concurrency ${timers.TIMER_CONCURRENCY}`);
    if (run.missing > 0) notes.push(`${name}: ${run.missing} timers never fired`);
  }
  const hz = await redisHz(clients);
  if (hz !== undefined) {
    notes.push(`Redis hz=${hz}: a worker blocked in BZPOPMIN until the next delayed job is woken on Redis's timer tick, so an idle worker can be up to ~${Math.round(1000 / hz)} ms late; both lateness figures include that floor`);
  }
  return { muster, bare };
}

/** #12: 50 P1s at once against Slack's tier limits; each responder's first page must not wait for a room. */
async function slackFirstPages(prefix: string): Promise<Summary> {
  const { firstPagesUnderTierLimits } = await import('./slack-tiers.js');
  progress(`slack tiers: ${SLOW_PLAN.tierDeclares} P1s at once against Slack's documented rate limits`);
  const run = await firstPagesUnderTierLimits(prefix, SLOW_PLAN.tierDeclares);
  const first = summarize(run.firstPages);
  const floor = summarize(run.floor);
  row(`slack first page per responder p50, ${SLOW_PLAN.tierDeclares} P1s at once, tier limits`, ms(first.p50));
  row(`slack first page per responder p99, ${SLOW_PLAN.tierDeclares} P1s at once, tier limits`, ms(first.p99), '< 1000 ms', first.p99 < 1000);
  row(`  (info) slack floor: ${floor.n} plain DMs at once p99`, ms(floor.p99));
  notes.push(`slack tiers: ${first.n} responders; conversations.create/invite Tier 2 (20 a minute), chat.postMessage about 1 a second per channel; ${run.limited} calls answered 429; the last war room made within the window came ${ms(run.lastRoomMs)} after the start (50 rooms at 20 a minute take about 90 s)`);
  return first;
}

/** #12: a slow, rate-limited platform; pages after an ack (one replica) and duplicate pages (two replicas). */
async function slowPlatform(prefix: string): Promise<{ afterAck: number; duplicates: number }> {
  const { pagesAfterAck, duplicatePages } = await import('./slow-platform.js');
  progress(`slow platform: ${SLOW_PLAN.afterAck} P1s, tech reassigned while its page is at the platform`);
  const after = await pagesAfterAck(`${prefix}slow:`, SLOW_PLAN.afterAck);
  progress(`slow platform: ${SLOW_PLAN.duplicates} P1s over two replicas, watchdogs every second`);
  const dup = await duplicatePages(`${prefix}dup:`, SLOW_PLAN.duplicates);
  row(`pages sent after the ack, ${after.incidents} P1s on a slow platform`, String(after.pageAfterAck), '= 0', after.pageAfterAck === 0);
  row(`duplicate pages, ${dup.incidents} P1s, two replicas, slow platform`, String(dup.duplicates), '= 0', dup.duplicates === 0);
  notes.push(`slow platform: sends take 300-1500 ms and 1 in 4 attempts gets a 429; ${after.attemptsAfterAck} tech page attempts began after the reassignment (floor 0)`);
  notes.push(`slow platform, two replicas: ${dup.pages} distinct pages; about ${dup.hung} sends hung 12 s (past the 10 s send claim, renewed by its holder); watchdogs re-queued pending messages every second (floor 0 duplicates)`);
  return { afterAck: after.pageAfterAck, duplicates: dup.duplicates };
}

async function redisHz(clients: Clients): Promise<number | undefined> {
  try {
    const [, value] = (await clients.commands.config('GET', 'hz')) as string[];
    const hz = Number(value);
    return Number.isFinite(hz) && hz > 0 ? hz : undefined;
  } catch {
    return undefined;
  }
}

async function knowledgeIndexFigures(incidents: number) {
  const { knowledgeBench } = await import('./kb.js');
  progress(`kb: knowledge index over ${incidents} generated incidents`);
  const kb = knowledgeBench(incidents);
  row(`kb search p50, ${incidents} incidents indexed`, ms(kb.search.p50));
  row(`kb search p99, ${incidents} incidents indexed`, ms(kb.search.p99), '< 20 ms', kb.search.p99 < 20);
  row(`  (info) kb similar incidents p50/p99, ${incidents} indexed`, `${ms(kb.similar.p50)} / ${ms(kb.similar.p99)}`);
  row(`  (info) kb index build, ${incidents} incidents (CPU time)`, `${ms(kb.buildMs)} (${ms(kb.buildCpuMs)})`);
  row('  (info) kb search mean CPU time', ms(kb.searchCpuMeanMs));
  row(`  (info) kb index heap, ${incidents} incidents`, kb.heapMb === undefined ? 'n/a (no --expose-gc)' : `${round1(kb.heapMb).toFixed(1)} MB`);
  row('  (info) kb index a commit p50/p99, text unchanged / changed', `${ms(kb.upsert.p50)} / ${ms(kb.upsert.p99)}, ${ms(kb.reindex.p50)} / ${ms(kb.reindex.p99)}`);
  notes.push(`kb: ${kb.search.n} searches (half the 20 labelled queries, half titles and fix steps of indexed incidents), ${kb.similar.n} similar-incident lookups, ${kb.upsert.n} re-indexes; ${kb.terms} distinct terms; max search ${ms(kb.search.max)}`);
  return kb;
}

async function historyDeclares(clients: Clients, prefix: string) {
  const { declareWithHistory } = await import('./history.js');
  const result = await declareWithHistory(clients, prefix, HISTORY_PLAN, progress);
  const n = result.incidents;
  row(`declare->5 pages p99 with ${n} past incidents / empty store`, `${result.ratio.toFixed(2)}x`, '<= 1.1x', result.ratio <= 1.1);
  row(`  (info) declare->5 pages p50/p99, ${n} past incidents`, `${ms(result.history.p50)} / ${ms(result.history.p99)}`);
  row('  (info) declare->5 pages p50/p99, empty store', `${ms(result.empty.p50)} / ${ms(result.empty.p99)}`);
  row(`  (info) knowledge index built from the store at start, ${n} incidents`, ms(result.indexReadyMs));
  notes.push(`history: ${result.history.n} + ${result.empty.n} sequential declares in ${HISTORY_PLAN.rounds} alternating rounds; ${result.suggested} of the history bot's declares got similar past incidents posted (behind the pages)`);
  return result;
}

async function main(): Promise<void> {
  const prefix = `bench:{${randomUUID()}}:`;
  progress(`${QUICK ? 'quick' : 'full'} run; Redis ${redact(REDIS_URL)}, prefix ${prefix}`);

  // First, while the heap is still small: RSS is measured in-process.
  progress(`rss: ${PLAN.rssIncidents} embedded incidents`);
  const rss = await embeddedRss(PLAN.rssIncidents);
  row(`RSS, ${rss.active} active incidents (embedded, in-process)`, `${round1(rss.rssMb).toFixed(1)} MB`, '< 200 MB', rss.rssMb < 200);
  row('  (info) RSS before declaring', `${round1(rss.baselineMb).toFixed(1)} MB`);
  row('  (info) heap used before / after declaring', `${round1(rss.baselineHeapMb).toFixed(1)} / ${round1(rss.heapUsedMb).toFixed(1)} MB`);
  notes.push(`rss: ${rss.active} active incidents, ${rss.pendingTimers} in-process timers pending; gc ${rss.gc ? 'forced' : 'not exposed (run with NODE_OPTIONS=--expose-gc to force it)'}`);

  // After the RSS figure (loaded here so MiniSearch does not count in it); no Redis needed.
  const kb = await knowledgeIndexFigures(PLAN.kbIncidents);

  let clients: Clients | undefined;
  let connected = false;
  let results: {
    declares: Awaited<ReturnType<typeof productionDeclares>>;
    history: Awaited<ReturnType<typeof historyDeclares>>;
    slack: SlackResults;
    alerts: AlertResults;
    discord: DiscordResults;
    timers: Awaited<ReturnType<typeof timerLateness>>;
    process: ProcessResults;
    slow: Awaited<ReturnType<typeof slowPlatform>>;
    slackTiers: Summary;
    scale: Record<string, number>;
    paging: Record<string, number>;
  };
  try {
    clients = await connectClients();
    connected = true;
    // Child processes first, while this one is still idle: they measure start-up and memory.
    const { processFigures } = await import('./process.js');
    const processResults = await processFigures(PROCESS_PLAN, `${prefix}proc:`, { row, note: (text) => notes.push(text), progress });
    const declares = await productionDeclares(clients, prefix);
    const history = await historyDeclares(clients, `${prefix}history:`);
    // The Slack bot keeps its own Redis connections and keys under a sub-prefix (cleaned up with the rest).
    const slack = await slackDeclares(`${prefix}slack:`);
    const slackTiers = await slackFirstPages(`${prefix}tiers:`);
    const alerts = await alertIngestion(clients, `${prefix}alerts:`);
    // Like the Slack bot, the Discord bot keeps its own Redis connections (and gateway lease) under a sub-prefix.
    const discord = await discordDeclares(`${prefix}discord:`);
    const timerResults = await timerLateness(clients, prefix);
    const slow = await slowPlatform(prefix);
    const { pagingFigures } = await import('./paging.js');
    const paging = await pagingFigures(`${prefix}paging:`, PAGING_PLAN, { row, note: (text) => notes.push(text), progress });
    const { scaleFigures } = await import('./scale.js');
    const scale = await scaleFigures(clients, `${prefix}scale:`, SCALE_PLAN, timerResults.muster.p99, { row, note: (text) => notes.push(text), progress });
    results = { declares, history, slack, slackTiers, alerts, discord, timers: timerResults, process: processResults, slow, scale, paging };
  } finally {
    await clients?.close();
    // Nothing was written if Redis was never reached.
    if (connected) {
      const deleted = await deleteByPrefix(prefix);
      const left = await countByPrefix(prefix);
      progress(`cleanup: deleted ${deleted} keys under ${prefix}; ${left} left`);
      if (left > 0) process.exitCode = 1;
    }
  }

  console.log(`Muster bench (${QUICK ? 'BENCH_QUICK' : 'full'}), ${new Date().toISOString()}`);
  printTable();
  for (const note of notes) console.log(`- ${note}`);
  const json = {
    declare_p50_ms_1: round1(results.declares.one.p50),
    declare_p99_ms_1: round1(results.declares.one.p99),
    declare_p50_ms_200: round1(results.declares.many.p50),
    declare_p99_ms_200: round1(results.declares.many.p99),
    declare_with_history_ratio: Math.round(results.history.ratio * 100) / 100,
    // HISTORY_PLAN holds 10,000 past incidents in a full run (2,000 with BENCH_QUICK).
    declare_history_10000_ratio: Math.round(results.history.ratio * 100) / 100,
    timer_p50_ms: round1(results.timers.muster.p50),
    timer_p99_ms: round1(results.timers.muster.p99),
    bullmq_p50_ms: round1(results.timers.bare.p50),
    bullmq_p99_ms: round1(results.timers.bare.p99),
    timer_bullmq_ratio: Math.round((results.timers.muster.p99 / Math.max(results.timers.bare.p99, 0.001)) * 100) / 100,
    ...results.scale,
    rss_mb_1000: round1(results.process.rssMb),
    rss_mb_1000_embedded_tsx: round1(rss.rssMb),
    ready_ms: round1(results.process.readyMs),
    ready_ms_tsx: round1(results.process.readyTsxMs),
    slack_declare_p50_ms_1: round1(results.slack.one.p50),
    slack_declare_p99_ms_1: round1(results.slack.one.p99),
    slack_declare_p50_ms_50: round1(results.slack.many.p50),
    slack_declare_p99_ms_50: round1(results.slack.many.p99),
    slack_floor_p99_ms_50: round1(results.slack.floor.p99),
    slack_first_page_p99_ms_50: round1(results.slackTiers.p99),
    alerts_per_s: Math.round(results.alerts.perSecond),
    alert_to_page_p50_ms: round1(results.alerts.one.p50),
    alert_to_page_p99_ms: round1(results.alerts.one.p99),
    alert_to_page_p50_ms_50: round1(results.alerts.many.p50),
    alert_to_page_p99_ms_50: round1(results.alerts.many.p99),
    discord_declare_p50_ms_1: round1(results.discord.one.p50),
    discord_declare_p99_ms_1: round1(results.discord.one.p99),
    discord_declare_p50_ms_50: round1(results.discord.many.p50),
    discord_declare_p99_ms_50: round1(results.discord.many.p99),
    discord_floor_p99_ms_50: round1(results.discord.floor.p99),
    kb_search_p50_ms: round1(kb.search.p50),
    kb_search_p99_ms: round1(kb.search.p99),
    kb_similar_p99_ms: round1(kb.similar.p99),
    [`kb_build_ms_${kb.incidents}`]: Math.round(kb.buildMs),
    [`kb_heap_mb_${kb.incidents}`]: kb.heapMb === undefined ? null : round1(kb.heapMb),
    page_after_ack_total: results.slow.afterAck,
    duplicate_pages_total: results.slow.duplicates,
    // page_to_provider_p99_ms, phone_ack_p99_ms and their floors (bench/paging.ts).
    ...results.paging,
  };
  console.log(JSON.stringify(json));
}

// Everything is closed above; if some handle still keeps the loop alive, say so and leave.
main()
  .then(() => {
    setTimeout(() => {
      progress('warning: handles still open 10 s after the bench finished; forcing exit');
      process.exit(process.exitCode ?? 0);
    }, 10_000).unref();
  })
  .catch((error: unknown) => {
    process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
