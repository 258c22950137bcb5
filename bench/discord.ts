/**
 * Slash command to pages over the real Discord protocol: the real bot
 * (startDiscordBot: discord.js gateway client and REST, DiscordChat, and in
 * production mode RedisStore, BullMQ and the gateway lease in Redis) against
 * test/support/discord's FakeDiscord (REST API v10 and gateway websocket), all
 * in this process. A declaration is `/incident declare title:… severity:P1
 * service:checkout` sent as INTERACTION_CREATE over the fake gateway; its
 * latency runs from just before the dispatch until the last of its five first
 * pages (a POST /channels/<dm>/messages into a responder's DM whose components
 * carry the Acknowledge button for that incident) has reached the fake REST
 * API. The incident id comes back in the edited deferred reply
 * (PATCH /webhooks/<app>/<token>/messages/@original).
 *
 * The floor: plain HTTP POSTs to the same fake server (POST
 * /api/v10/channels/<general>/typing with the bot token and a JSON body the
 * size of a page DM; the fake authenticates, parses, checks the bucket and
 * answers 204), from this process, with fetch, `concurrency` in flight.
 *
 * The fake is observed without changing it: its `calls` array gets an
 * instance-level push that notes when each request arrived, and its 'call'
 * event (emitted once a call is answered) reads the parsed body.
 */
import { performance } from 'node:perf_hooks';
import { registerCommands } from '../adapters/discord/commands.js';
import type { MusterEnv } from '../src/config/env.js';
import { startDiscordBot, type RunningDiscordBot } from '../src/main.js';
import { FAKE_DISCORD, FakeDiscord, type RecordedCall } from '../test/support/discord/fake-discord.js';
import { BENCH_PEOPLE, benchDiscordConfig, discordId, FIRST_PAGED } from './config.js';
import { drainOutbox } from './declare.js';
import { REDIS_URL } from './redis.js';
import { CountingLogger, forEachLimit, percentile } from './stats.js';
import { randomAuditKey } from '../src/audit/key.js';

const OPS_CHANNEL = FAKE_DISCORD.channels.general;
const BROADCAST_CHANNEL = FAKE_DISCORD.channels.incidents;
const CATEGORY = FAKE_DISCORD.channels.warRooms;
const WAIT_MS = 60_000;
const ACK_ID_RE = /^muster:\/incident ack (INC-\d+) /;
const INCIDENT_RE = /\bINC-\d+\b/i;
const PAGED_USERS = new Set<string>(FIRST_PAGED.map(discordId));
const CHANNEL_DM = 1;

export type DiscordMode = 'production' | 'embedded';

export interface DiscordSamples {
  /** Interaction dispatched -> last of the five first pages reached the fake, ms. */
  pages: number[];
  /** Interaction dispatched -> the deferral (interaction callback) reached the fake, ms. */
  defers: number[];
  /** Interaction dispatched -> the edited deferred reply reached the fake, ms. */
  replies: number[];
}

export interface ConcurrentDiscordSamples extends DiscordSamples {
  batchP99: number[];
  eventLoopUtilization: number;
  windows: Array<[number, number]>;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface PageWait {
  users: Map<string, number>;
  waiter?: Waiter<number>;
}

function observePush<T>(array: T[], seen: (item: T) => void): void {
  const push = Array.prototype.push;
  Object.defineProperty(array, 'push', {
    configurable: true,
    writable: true,
    value: (...items: T[]): number => {
      const length = push.apply(array, items);
      for (const item of items) seen(item);
      return length;
    },
  });
}

function ackIncident(components: unknown): string | undefined {
  if (!Array.isArray(components)) return undefined;
  for (const node of components as Array<{ custom_id?: unknown; components?: unknown }>) {
    if (typeof node?.custom_id === 'string') {
      const id = ACK_ID_RE.exec(node.custom_id)?.[1];
      if (id) return id;
    }
    const inner = ackIncident(node?.components);
    if (inner) return inner;
  }
  return undefined;
}

export class DiscordBench {
  failedCalls = 0;
  readonly failures = new Map<string, number>();
  /** REST calls per "METHOD route" since the last resetCounts(). */
  readonly callCounts = new Map<string, number>();
  readonly watchdogPasses: Array<{ at: number; ms: number }> = [];
  private readonly arrivals = new WeakMap<RecordedCall, number>();
  private readonly pages = new Map<string, PageWait>();
  private readonly defers = new Map<string, number>();
  private readonly replies = new Map<string, { at: number; incident: string }>();
  private readonly replyWaiters = new Map<string, Waiter<{ at: number; incident: string }>>();
  private declared = 0;
  /** Arrival (performance.now()) of every answered call made by the chat port (not the interaction routes). */
  private readonly chatCallTimes: number[] = [];

  private constructor(
    readonly fake: FakeDiscord,
    readonly bot: RunningDiscordBot,
    readonly logger: CountingLogger,
    readonly mode: DiscordMode,
  ) {
    observePush(fake.calls, (call) => this.arrivals.set(call, performance.now()));
    fake.onCall((call) => this.onAnswered(call));
    const watchdog = bot.runtime.muster.watchdog;
    const beat = watchdog.beat.bind(watchdog);
    watchdog.beat = async () => {
      const at = performance.now();
      try {
        return await beat();
      } finally {
        this.watchdogPasses.push({ at, ms: performance.now() - at });
      }
    };
  }

  static async start(prefix: string, mode: DiscordMode): Promise<DiscordBench> {
    const fake = await FakeDiscord.start({ users: BENCH_PEOPLE.map((id) => ({ id: discordId(id), username: id, globalName: id })) });
    try {
      const config = benchDiscordConfig(CATEGORY, BROADCAST_CHANNEL);
      // As `muster discord register` does once; the fake then checks every slash command against it.
      await registerCommands({ token: fake.botToken, applicationId: fake.applicationId, guildId: fake.guildId, apiUrl: fake.apiUrl }, config);
      const env: MusterEnv = {
        logLevel: 'warn',
        logLevelSet: true,
        redisPrefix: prefix,
        ...(mode === 'production' ? { redisUrl: REDIS_URL } : {}),
        // Production mode refuses to start without an audit key; a bench run signs with a throwaway one.
        auditKey: randomAuditKey(),
        port: 0,
        discordToken: fake.botToken,
        discordApplicationId: fake.applicationId,
        discordGuildId: fake.guildId,
        discordApiUrl: fake.apiUrl,
      };
      const logger = new CountingLogger('discord-bot');
      const bot = await startDiscordBot({ env, config, logger });
      try {
        // Production mode connects once the gateway lease (in Redis) is taken.
        await fake.waitForGatewayReady(15_000);
      } catch (error) {
        await bot.stop();
        throw error;
      }
      if (bot.runtime.mode !== mode) {
        await bot.stop();
        throw new Error(`the Discord bot started in ${bot.runtime.mode} mode, not ${mode}`);
      }
      return new DiscordBench(fake, bot, logger, mode);
    } catch (error) {
      await fake.close();
      throw error;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.bot.stop();
    } finally {
      await this.fake.close();
    }
  }

  async declareOnce(samples: DiscordSamples): Promise<void> {
    this.declared += 1;
    const tag = `d${this.declared}`;
    const payload = this.fake.slashCommand({
      channelId: OPS_CHANNEL,
      user: discordId('alice'),
      name: 'incident',
      subcommand: 'declare',
      options: { title: `Bench ${tag} checkout failing`, severity: 'P1', service: 'checkout', anyway: 'yes' },
    });
    const token = String(payload.token);
    const interactionId = String(payload.id);
    const reply = this.waitForReply(token);
    reply.catch(() => undefined); // awaited below
    const startedAt = performance.now();
    await this.fake.sendInteraction(payload);
    const { at: repliedAt, incident } = await reply;
    const lastPageAt = await this.allPaged(incident);
    const deferredAt = this.defers.get(interactionId);
    this.defers.delete(interactionId);
    if (deferredAt !== undefined) samples.defers.push(deferredAt - startedAt);
    samples.replies.push(repliedAt - startedAt);
    samples.pages.push(lastPageAt - startedAt);
  }

  async warmUp(runs: number, concurrency = 0): Promise<void> {
    const ignored: DiscordSamples = { pages: [], defers: [], replies: [] };
    for (let i = 0; i < runs; i += 1) await this.declareOnce(ignored);
    await this.settle();
    if (concurrency > 0) {
      await Promise.all(Array.from({ length: concurrency }, () => this.declareOnce(ignored)));
      await this.settle();
    }
  }

  /**
   * One declaration at a time, each after the previous one's outbox drained;
   * with `paceMs`, declarations also start at least that far apart (start to start).
   */
  async sequential(runs: number, paceMs = 0): Promise<DiscordSamples> {
    const samples: DiscordSamples = { pages: [], defers: [], replies: [] };
    for (let i = 0; i < runs; i += 1) {
      const startedAt = performance.now();
      await this.declareOnce(samples);
      await this.settle();
      const rest = paceMs - (performance.now() - startedAt);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
    return samples;
  }

  async concurrent(concurrency: number, batches: number): Promise<ConcurrentDiscordSamples> {
    const samples: ConcurrentDiscordSamples = { pages: [], defers: [], replies: [], batchP99: [], eventLoopUtilization: 0, windows: [] };
    let busy = 0;
    let total = 0;
    for (let batch = 0; batch < batches; batch += 1) {
      const before = samples.pages.length;
      const elu = performance.eventLoopUtilization();
      const startedAt = performance.now();
      await Promise.all(Array.from({ length: concurrency }, () => this.declareOnce(samples)));
      samples.windows.push([startedAt, performance.now()]);
      const used = performance.eventLoopUtilization(elu);
      busy += used.active;
      total += used.active + used.idle;
      samples.batchP99.push(percentile(samples.pages.slice(before), 99));
      await this.settle();
    }
    samples.eventLoopUtilization = total > 0 ? busy / total : 0;
    return samples;
  }

  /** Bytes of the JSON body of one page DM as the bot sent it (the floor's body size). */
  pageBodyBytes(): number {
    return this.lastPageBytes || 600;
  }
  private lastPageBytes = 0;

  /**
   * The floor: `count` plain POSTs (JSON body of `bodyBytes` bytes) to the fake's
   * POST /api/v10/channels/<general>/typing with the bot token, `concurrency` in flight.
   */
  async floor(concurrency: number, count: number, bodyBytes: number): Promise<number[]> {
    const padding = Math.max(0, bodyBytes - '{"content":""}'.length);
    const body = JSON.stringify({ content: 'x'.repeat(padding) });
    const url = `${this.fake.apiUrl}/v10/channels/${OPS_CHANNEL}/typing`;
    const headers = { 'Content-Type': 'application/json', Authorization: `Bot ${this.fake.botToken}` };
    const latencies: number[] = [];
    // Open the connections first (as the warm-up did for the bot's), unmeasured.
    await Promise.all(Array.from({ length: concurrency }, () => fetch(url, { method: 'POST', headers, body }).then((res) => res.arrayBuffer())));
    this.fake.reset();
    // Batches of `concurrency`, the fake's buckets forgotten in between (1000 per second per route and channel).
    for (let done = 0; done < count; done += concurrency) {
      await forEachLimit(Array.from({ length: Math.min(concurrency, count - done) }), concurrency, async () => {
        const startedAt = performance.now();
        const res = await fetch(url, { method: 'POST', headers, body });
        await res.arrayBuffer();
        latencies.push(performance.now() - startedAt);
        if (res.status !== 204) throw new Error(`floor POST answered HTTP ${res.status}`);
      });
      this.fake.reset();
    }
    return latencies;
  }

  /**
   * Waits for the outbox to drain (room notices, broadcasts, board edits), then
   * forgets what the fake recorded. The war rooms created so far are then
   * removed from the fake guild's state (as an admin clearing old war rooms
   * would), since Discord allows 50 channels per category and 500 per guild.
   */
  async settle(): Promise<void> {
    await drainOutbox(this.bot.runtime.outbox);
    this.fake.reset();
    for (const channel of this.fake.createdChannels()) channel.deleted = true;
  }

  /** Chat-port REST calls that arrived inside `windows`: how many, and the most in any one-second span. */
  chatCallRate(windows: Array<[number, number]>): { calls: number; seconds: number; maxPerSecond: number } {
    const inside = this.chatCallTimes.filter((at) => windows.some(([a, b]) => at >= a && at <= b)).sort((a, b) => a - b);
    let maxPerSecond = 0;
    for (let i = 0, j = 0; j < inside.length; j += 1) {
      while ((inside[j] as number) - (inside[i] as number) >= 1000) i += 1;
      maxPerSecond = Math.max(maxPerSecond, j - i + 1);
    }
    const seconds = windows.reduce((sum, [a, b]) => sum + (b - a), 0) / 1000;
    return { calls: inside.length, seconds, maxPerSecond };
  }

  resetCounts(): void {
    this.callCounts.clear();
  }

  // ---------------------------------------------------------------- observing the fake

  private onAnswered(call: RecordedCall): void {
    const arrivedAt = this.arrivals.get(call) ?? performance.now();
    const key = `${call.method} ${call.route}`;
    this.callCounts.set(key, (this.callCounts.get(key) ?? 0) + 1);
    const status = call.status ?? 0;
    if (status >= 400) {
      this.failedCalls += 1;
      const what = `${key} -> ${status}`;
      this.failures.set(what, (this.failures.get(what) ?? 0) + 1);
      return;
    }
    if (!/^\/(interactions|webhooks)\//.test(call.path)) this.chatCallTimes.push(arrivedAt);
    const segments = call.path.split('/');
    if (call.method === 'POST' && call.route === '/interactions/:interactionId/:token/callback') {
      const id = segments[2];
      if (id && !this.defers.has(id)) this.defers.set(id, arrivedAt);
      return;
    }
    if (call.method === 'PATCH' && call.route === '/webhooks/:webhookId/:token/messages/:messageId') {
      const token = segments[3] ?? '';
      const incident = INCIDENT_RE.exec(JSON.stringify(call.body ?? ''))?.[0]?.toUpperCase();
      if (!incident) return;
      const value = { at: arrivedAt, incident };
      const waiter = this.replyWaiters.get(token);
      if (waiter) {
        this.replyWaiters.delete(token);
        clearTimeout(waiter.timer);
        waiter.resolve(value);
      } else if (!this.replies.has(token)) {
        this.replies.set(token, value);
      }
      return;
    }
    if (call.method === 'POST' && call.route === '/channels/:channelId/messages') {
      const channel = this.fake.channel(segments[2] ?? '');
      if (!channel || channel.type !== CHANNEL_DM || !channel.recipientId || !PAGED_USERS.has(channel.recipientId)) return;
      const body = call.body as { components?: unknown } | undefined;
      const incident = ackIncident(body?.components);
      if (!incident) return;
      this.lastPageBytes = Buffer.byteLength(JSON.stringify(body));
      const wait = this.pageWait(incident);
      if (wait.users.has(channel.recipientId)) return;
      wait.users.set(channel.recipientId, arrivedAt);
      if (wait.users.size >= PAGED_USERS.size && wait.waiter) {
        clearTimeout(wait.waiter.timer);
        wait.waiter.resolve(Math.max(...wait.users.values()));
      }
    }
  }

  private pageWait(incident: string): PageWait {
    let wait = this.pages.get(incident);
    if (!wait) {
      wait = { users: new Map() };
      this.pages.set(incident, wait);
    }
    return wait;
  }

  private allPaged(incident: string): Promise<number> {
    const wait = this.pageWait(incident);
    const done = () => {
      this.pages.delete(incident);
      return Math.max(...wait.users.values());
    };
    if (wait.users.size >= PAGED_USERS.size) return Promise.resolve(done());
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pages.delete(incident);
        reject(new Error(`${incident}: only ${wait.users.size}/${PAGED_USERS.size} page DMs reached the fake after ${WAIT_MS} ms`));
      }, WAIT_MS);
      wait.waiter = { resolve: () => resolve(done()), reject, timer };
    });
  }

  private waitForReply(token: string): Promise<{ at: number; incident: string }> {
    const already = this.replies.get(token);
    if (already) {
      this.replies.delete(token);
      return Promise.resolve(already);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replyWaiters.delete(token);
        reject(new Error(`no edited reply for the interaction after ${WAIT_MS} ms`));
      }, WAIT_MS);
      this.replyWaiters.set(token, { resolve, reject, timer });
    });
  }
}
